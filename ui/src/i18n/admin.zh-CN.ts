// zh-CN labels of the supervisor and administration pages (issue 13), joined
// into zh-CN.ts's by index.ts; admin.en.ts has the same keys (admin.test.ts).
export default {
  nav: { monitor: "实时监控", wallboard: "坐席大屏", strategies: "策略与日历", callbacks: "预约回拨", calls: "通话记录", exports: "导出名单", messages: "消息与公告", outbound: "发送记录", shifts: "排班与考勤" },
  enum: {
    agent_state: { signed_out: "已签出", ready: "空闲", reserved: "振铃中", on_call: "通话中", hold: "保持", acw: "话后处理", break: "小休" },
    node_state: { up: "在线", down: "离线", connecting: "连接中" },
    caller_id_rotation: { round_robin: "轮流使用", in_order: "按顺序" },
    callback_status: { scheduled: "待回拨", offered: "回拨中", done: "已回拨", missed: "未完成", cancelled: "已取消" },
    outcome: {
      success: "成功", human: "人工接通", answered: "已接听", busy: "忙线", no_answer: "无人接听", rejected: "拒接", machine: "答录机",
      abandoned: "放弃", invalid_number: "空号/错号", network_failure: "网络故障", cancelled: "已取消", lost: "结果未知",
    },
  },
  monitor: {
    title: "实时监控", live: "实时", offline: "未连接", open_wallboard: "打开大屏", waiting: "排队", calls: "通话",
    agents: "在线坐席", filter_state: "按状态", filter_group: "按坐席组", no_agents: "暂无签入的坐席", agent: "坐席",
    extension: "分机", time_in_state: "状态时长", groups: "坐席组", node: "节点", listen: "监听", whisper: "耳语", barge: "强插",
    sign_out: "强制签出", queues: "排队情况", no_queue: "无排队", group: "坐席组", longest_wait: "最长等待", no_calls: "当前无通话",
    campaign: "活动", duration: "时长", nodes: "交换节点与中继", simulated: "模拟", address: "地址", channels: "通道",
    trunks: "中继网关", problems: "问题",
    eavesdrop_started: "正在呼叫您的分机以{mode}{name}的通话", confirm_sign_out: "确定强制签出 {name}？",
    sign_out_deferred: "坐席正在通话，通话结束后签出", signed_out: "已签出",
  },
  wallboard: {
    title: "坐席实时大屏", exit: "返回监控", signed_in: "在线坐席", ready: "空闲", talking: "通话中", acw: "话后处理", break: "小休",
    waiting: "排队", longest_wait: "最长等待", calls: "当前通话", no_agents: "暂无签入的坐席", notices: "通知公告", no_notices: "暂无通知",
  },
  strategy: {
    title: "策略与日历", tab_strategies: "拨打策略", tab_calendars: "呼叫日历", tab_holidays: "法定节假日", new: "新建策略", edit: "编辑策略",
    calendar: "呼叫日历", choose_calendar: "选择日历", min_attempts: "最少拨打次数", max_attempts: "每个号码最多次数",
    max_attempts_per_contact: "每位客户最多次数", min_retry: "最短重拨间隔(秒)", max_retry: "最长重拨间隔(秒)", min_ring_s: "最短振铃(秒)",
    batch_size: "每批数量", batch_interval_s: "批次间隔(秒)", phone_order: "拨号顺序", period_start: "活动开始日期", period_end: "活动结束日期",
    rotation: "主叫号码轮换", daily_limit: "每个主叫号码每日上限", daily_limit_hint: "0 为不限", attempts: "拨打次数", retry: "重拨间隔",
    batch: "批次", period: "活动期", version: "版本", minutes: "{n}分钟", seconds: "{n}秒", open_period: "不限",
  },
  calendar: {
    official_short: "法定假日", new: "新建日历", edit: "编辑日历", timezone: "时区", official: "遵循法定节假日", windows: "呼叫时段", add_window: "添加时段",
    day_kind: "适用日期", customer_type: "客户类型", every_type: "全部类型", start: "开始", end: "结束",
    date_window_hint: "适用日期可填 date:2026-12-31，只对该日生效；结束时间可填 24:00。", own_dates: "本日历的特殊日期",
    add_date: "添加日期", date: "日期", date_kind: "日期类型", kind_workday: "工作日", kind_weekend: "周末", kind_holiday: "节假日",
    makeup: "调休上班", closed: "不呼叫", none_selected: "请选择日历", add_holiday: "添加",
  },
  callback: {
    title: "预约回拨", campaign: "活动", agent: "坐席", due_from: "开始日期", due_to: "结束日期", due_at: "回拨时间", contact: "客户",
    phone: "号码", note: "备注", cancel: "取消回拨", edit: "修改回拨", confirm_cancel: "确定取消 {name} 的回拨？", phone_keep: "留空则不修改",
    new: "预约回拨", find_customer: "输入完整号码、证件号或姓名查找客户", no_customer: "未找到客户", phone_default: "留空则使用客户号码",
  },
  calls: {
    title: "通话记录", from: "开始日期", to: "结束日期", campaign: "活动", outcome: "结果", recorded: "录音", with_recording: "有录音",
    without_recording: "无录音", phone: "完整号码", playing: "正在播放通话 #{id} 的录音", agent: "坐席", talk: "通话时长",
    disposition: "小结", recording: "录音", play: "播放", recorded_yes: "有录音", removed: "已过保存期",
  },
  exports: {
    title: "导出名单", campaign: "活动", choose_campaign: "选择活动", statuses: "名单状态", all_statuses: "全部状态", format: "格式",
    lang: "表头语言", phone_format: "号码格式", national: "国内格式", available: "可选字段", attribute_key: "扩展属性名",
    add_attribute: "添加属性", chosen: "导出的列", template: "导出模板", save_template: "存为模板", template_name: "模板名称",
    none_chosen: "请从左侧选择字段", field: "字段", header: "表头", order: "顺序", up: "上移", down: "下移", export: "导出",
    audited: "导出会记入审计日志", done: "已导出 {name}",
    status: {
      completed: "已完成", uncompleted: "未完成(待拨/通话中/未接通)", maintenance: "待维护", blocked: "黑名单", cancelled: "已取消",
      pending: "待拨打", in_progress: "通话中", failed: "未接通",
    },
  },
  // The server's default headers (api/export_lang.go), shown as placeholders.
  exportf: {
    id: "编号", name: "姓名", phone: "联系电话", alt_phone: "备用电话", id_number: "身份证号码", customer_type: "客户类型",
    manager_email: "客户经理邮箱", email: "电子邮箱", status: "状态", attempts: "呼叫次数", last_result: "最近呼叫结果",
    last_attempt_at: "最近呼叫时间", next_attempt_at: "下次呼叫时间", owner_agent_id: "所属坐席", block_reason: "屏蔽原因", created_at: "导入时间",
  },
  messages: {
    title: "消息与公告", inbox: "收件箱", outbox: "已发送", broadcasts: "公告与大屏通知", to: "收件人", choose_person: "选择人员",
    text: "内容", send: "发送", sent: "已发送", unread_only: "只看未读", from: "发件人", read_at: "已读时间", mark_read: "标为已读",
    unread: "未读", kind: "类型", kind_announcement: "公告", kind_wallboard: "大屏通知", audience: "发送给", everyone: "全体",
    a_group: "坐席组", a_person: "个人", title_field: "标题", expires: "截止时间", active_only: "只看有效的", sender: "发送人",
    read_count: "已读/人数", no_expiry: "长期", withdraw: "撤回", confirm_withdraw: "确定撤回「{name}」？", receipts_of: "「{name}」的阅读情况",
    person: "人员",
  },
  outbound: {
    title: "短信邮件发送记录", test: "发送测试", to: "接收方", subject: "主题", body: "内容", send_test: "发送测试消息",
    test_sent: "测试消息：{status}", purpose_label: "用途", channel_label: "渠道", campaign: "活动", from: "开始日期", till: "结束日期",
    simulated: "模拟", provider: "服务商", parts: "条数", tries: "尝试次数", sent_at: "发送", delivered_at: "送达",
    purpose: { campaign: "活动", notification: "结果通知", test: "测试" },
    channel: { sms: "短信", email: "邮件", fax: "传真" },
    status: { queued: "排队中", sent: "已发送", delivered: "已送达", failed: "失败" },
  },
  shifts: {
    title: "排班与考勤", tab_attendance: "考勤", tab_roster: "排班表", tab_shifts: "班次", group: "坐席组", agents: "坐席",
    agent: "坐席", date: "日期", shift: "班次", day_off: "休息", unscheduled: "未排班", scheduled: "排班时间", signed_in: "签入/签出",
    now: "在线", online: "在线时长", late: "迟到(分)", early: "早退(分)", breaks: "小休/额度(分)", absent: "缺勤",
    no_attendance: "该期间无考勤记录", dates: "日期范围", weekdays: "星期", plan: "安排", clear: "清除", assign: "应用",
    assigned: "已更新 {n} 个排班", note: "备注", new: "新建班次", edit: "编辑班次", hours: "时间", break_allowance: "小休额度(分)",
    work: "工作时长", timezone: "时区", start: "上班", end: "下班", end_hint: "下班时间不晚于上班时间表示次日下班（夜班）。",
    wd1: "一", wd2: "二", wd3: "三", wd4: "四", wd5: "五", wd6: "六", wd7: "日",
    grid_hint: "共 {n} 天；点选格子，Shift 点选另一格选中矩形区域，Ctrl 点选增减；点姓名或日期选中整行或整列", chosen: "已选 {n} 格", no_agents: "该范围内没有坐席的排班",
  },
};
