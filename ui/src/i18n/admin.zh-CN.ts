// zh-CN labels of the supervisor and administration pages (issue 13), joined
// into zh-CN.ts's by index.ts; admin.en.ts has the same keys (admin.test.ts).
export default {
  nav: { monitor: "实时监控", wallboard: "坐席大屏", strategies: "策略与日历", callbacks: "预约回拨", calls: "通话记录" },
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
  },
  calls: {
    title: "通话记录", from: "开始日期", to: "结束日期", campaign: "活动", outcome: "结果", recorded: "录音", with_recording: "有录音",
    without_recording: "无录音", phone: "完整号码", playing: "正在播放通话 #{id} 的录音", agent: "坐席", talk: "通话时长",
    disposition: "小结", recording: "录音", play: "播放", recorded_yes: "有录音", removed: "已过保存期",
  },
};
