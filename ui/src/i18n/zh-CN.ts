// zh-CN, the default language. en.ts has the same keys (i18n.test.ts checks).
export default {
  app: { title: "外呼中心", simulated: "模拟模式：未配置 FreeSWITCH，呼叫由内置模拟器处理", language: "English", logout: "退出", loading: "加载中…" },
  login: { title: "登录外呼中心", username: "用户名", password: "密码", submit: "登录", required: "请输入用户名和密码" },
  menu: { dashboard: "运营总览", campaigns: "外呼活动", blacklist: "黑名单", users: "用户", audit: "审计日志", classic: "旧版页面" },
  common: {
    search: "查询", reset: "重置", create: "新建", edit: "编辑", save: "保存", cancel: "取消", delete: "删除", confirm: "确定",
    actions: "操作", status: "状态", name: "名称", all: "全部", back: "返回", saved: "已保存", deleted: "已删除", yes: "是", no: "否",
    confirm_delete: "确定删除 {name}？", time: "时间", total: "共 {n} 条", none: "无", refresh: "刷新", close: "关闭",
  },
  enum: {
    kind: { notification: "通知", collection: "催收", survey: "回访调查", confirmation: "确认", sales: "营销" },
    media: { voice: "语音", ivr: "IVR 语音", sms: "短信", email: "邮件", fax: "传真" },
    dial_mode: { preview: "预览式", progressive: "渐进式", predictive: "预测式", broadcast: "群呼" },
    campaign_status: { draft: "草稿", running: "进行中", paused: "已暂停", stopped: "已停止", completed: "已完成" },
    contact_status: {
      pending: "待拨打", in_progress: "通话中", completed: "已完成", failed: "未接通", maintenance: "待维护", cancelled: "已取消",
      blocked: "黑名单",
    },
    not_dialable: {
      blacklisted: "黑名单", do_not_disturb: "免打扰", attempts_exhausted: "次数已用完", retry_not_due: "未到重拨时间",
      outside_window: "不在呼叫时段", outside_period: "不在活动期内", no_number: "无可拨号码", callback_scheduled: "已预约回拨",
      abandoned_recently: "72小时内曾放弃呼叫", in_progress: "通话中", completed: "已完成",
      failed: "次数已用完", maintenance: "号码待维护", cancelled: "已取消",
    },
    import_status: { queued: "排队中", running: "导入中", done: "已完成", failed: "失败", cancelled: "已取消" },
    role: { admin: "管理员", supervisor: "班组长", qa: "质检", agent: "坐席" },
    dnc_kind: { phone: "手机号码", id_number: "身份证号码" },
    dnc_source: { manual: "手工添加", agent: "坐席", import: "文件导入", invalid_number: "无效号码", customer_request: "客户要求", api: "接口" },
    field: {
      name: "姓名", phone: "手机号码", alt_phone: "备用电话", id_number: "身份证号码", customer_type: "客户类型",
      manager_email: "客户经理邮箱", email: "电子邮箱", ignore: "忽略", attribute: "扩展属性",
    },
  },
  dashboard: {
    campaigns_running: "进行中活动", contacts: "名单总数", attempts: "呼叫次数", answered: "接通", abandoned: "放弃",
    abandon_rate: "放弃率(24小时)", per_campaign: "各活动呼叫情况", by_status: "名单状态分布", nodes: "交换节点",
    node_up: "在线", node_down: "离线", no_campaigns: "暂无活动", dial_rate: "拨号速率(次/分)", uptime: "运行时长",
  },
  campaign: {
    list: "外呼活动", new: "新建活动", edit: "编辑活动", kind: "类型", media: "媒介", dial_mode: "外呼模式", priority: "优先级",
    strategy: "拨打策略", group: "坐席组", caller_ids: "主叫号码", caller_ids_hint: "输入号码后回车", gateway: "中继网关",
    max_abandon_rate: "最大放弃率", description: "说明", start: "启动", pause: "暂停", stop: "停止",
    confirm_stop: "停止后活动不能再启动，确定停止 {name}？", started: "已启动", paused: "已暂停", stopped: "已停止",
    search_name: "按名称查询", detail: "活动详情", stats: "实时数据", contacts: "联系人", import: "导入名单", imports: "导入记录",
    updated: "更新时间", created: "创建时间", rate_limit: "上限",
  },
  contact: {
    name: "姓名", phone: "手机号码", id_number: "身份证号码", status: "状态", attempts: "呼叫次数", not_dialable: "不可拨原因",
    blocked_by: "黑名单条目", filter_status: "按状态筛选", search: "姓名/号码", owner: "归属坐席", customer_type: "客户类型",
  },
  wizard: {
    step_upload: "上传文件", step_mapping: "字段映射", step_progress: "导入进度", step_result: "导入结果",
    choose_file: "选择文件", file_hint: "支持 xlsx、csv/txt、docx、doc", sheet: "工作表", sheet_hint: "留空为第一个工作表",
    encoding: "编码", encoding_auto: "自动识别", next: "下一步", previous: "上一步", preview: "预览", start_import: "开始导入",
    column: "列", header: "表头", maps_to: "对应字段", sample: "示例", row: "行", field: "字段", message: "说明", valid: "有效",
    invalid_rows: "预览中 {n} 行有问题", all_valid: "预览行均有效", imported: "已导入", duplicates: "重复", blocked: "黑名单",
    rejected: "拒绝", total: "合计", download_errors: "下载错误明细", errors: "逐行错误", again: "再导入一个文件",
    dup_of_row: "与第 {n} 行重复", dup_of_contact: "与已有联系人 #{n} 重复", dup_of_entry: "已在黑名单（条目 #{n}）",
    no_file: "请先选择文件", force: "允许重复导入同一文件", cancel_import: "取消导入",
  },
  blacklist: {
    title: "黑名单", value: "号码/证件", kind: "类型", reason: "原因", source: "来源", expires: "截至", add: "添加",
    phone: "手机号码", id_number: "身份证号码", exists: "{value} 已在黑名单中，原条目保持不变。原因：{reasons}",
    add_reason: "追加我的原因", search: "号码或证件", created_by: "添加人", one_of: "手机号码和身份证号码填写一项",
  },
  user: {
    title: "用户", username: "用户名", display_name: "姓名", role: "角色", extension: "分机", email: "邮箱", phone: "电话",
    password: "密码", password_hint: "留空则不修改", disabled: "停用", enabled: "启用", last_login: "最后登录", unlock: "解除锁定",
    locked_until: "锁定至", new: "新建用户", edit: "编辑用户", unlocked: "已解除锁定", sip_password: "话机注册密码（只显示一次）",
  },
  audit: {
    title: "审计日志", user: "用户", action: "操作", target: "对象", result: "结果", ip: "地址", detail: "详情",
    from: "开始时间", to: "结束时间",
  },
  dlp: {
    locked_title: "屏幕已锁定", locked_hint: "长时间未操作，请输入密码解锁", unlock: "解锁",
    print_blocked: "无导出权限，不能打印", copy_blocked: "无导出权限，不能批量复制客户数据",
  },
};
