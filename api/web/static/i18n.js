// UI texts: zh-CN by default, English on request (remembered per browser).
const I18N = {
  "zh-CN": {
    new_ui: "新版界面", title: "外呼中心", simulated: "模拟模式：未配置 FreeSWITCH，呼叫由内置模拟器处理",
    campaigns: "外呼活动", dnc: "黑名单", users: "用户", audit: "审计日志", logout: "退出",
    username: "用户名", password: "密码", login: "登录", name: "名称", kind: "类型", media: "媒介",
    dial_mode: "外呼模式", priority: "优先级", status: "状态", create: "新建", search: "查询", add: "添加",
    delete: "删除", contacts: "联系人", import: "导入", file: "文件", preview: "预览", phone: "手机号码",
    id_number: "身份证号码", reason: "原因", value: "号码/证件", role: "角色", display_name: "姓名",
    extension: "分机", action: "操作", time: "时间", result: "结果", attempts: "呼叫次数",
    not_dialable: "不可拨原因", imported: "导入", duplicates: "重复", blocked: "黑名单", rejected: "拒绝",
    total: "合计", back: "返回", saved: "已保存", row: "行", field: "字段", message: "说明",
    pending: "待拨打", in_progress: "通话中", completed: "已完成", failed: "未接通", maintenance: "待维护",
    cancelled: "已取消", blacklisted: "黑名单", do_not_disturb: "免打扰", attempts_exhausted: "次数已用完",
    retry_not_due: "未到重拨时间", outside_window: "不在呼叫时段", outside_period: "不在活动期内", no_number: "无可拨号码",
    callback_scheduled: "已预约回拨", abandoned_recently: "72小时内曾放弃呼叫",
    draft: "草稿", running: "进行中", paused: "已暂停", stopped: "已停止",
    blocked_by: "黑名单条目", alt_phone: "备用电话", until: "截至", manual: "手工添加", agent: "坐席",
    invalid_number: "无效号码", customer_request: "客户要求", duplicate_of: "重复于",
    dup_of_row: "与第 {n} 行重复", dup_of_contact: "与已有联系人 #{n} 重复", dup_of_entry: "已在黑名单（条目 #{n}）",
    dnc_exists: "{value} 已在黑名单中，原条目保持不变。原因：{reasons}", add_reason: "追加我的原因",
    // the delivery log and test messages (outbound.js)
    outbound: "短信/邮件/传真", ob_send_test: "发送测试消息", ob_channel: "渠道", ob_to: "收件人", ob_subject: "主题", ob_text: "内容",
    ob_send: "发送", ob_purpose: "用途", ob_provider: "通道", ob_parts: "条数/页数", ob_code: "代码", ob_error: "错误", ob_simulated_tag: "模拟",
    ob_simulated_note: "标记“模拟”的消息由内置模拟通道接收，没有真正发出（未配置短信或邮件服务）。",
    ob_campaign: "活动", ob_notification: "结果通知", ob_test: "测试", ob_report: "定时报表", ob_sms: "短信", ob_email: "邮件", ob_fax: "传真",
    ob_queued: "排队中", ob_sent: "已发送", ob_delivered: "已送达", ob_all: "全部", ob_body: "正文", ob_test_sent: "测试消息已记录：",
    ob_refresh: "刷新",
    ob_status: "状态", ob_failed: "失败",
    ob_fax_documents: "传真文档", ob_pdf: "PDF 文件", ob_upload: "上传", ob_pages: "页数", ob_doc_id: "文档编号",
    ob_fax_note: "上传的 PDF 转换为传真格式（G3，204x196）；传真活动的 document_id 填写文档编号。",
  },
  en: {
    new_ui: "New UI", title: "Call Center", simulated: "SIMULATED: no FreeSWITCH configured, calls go to the built-in simulator",
    campaigns: "Campaigns", dnc: "Do-not-call", users: "Users", audit: "Audit log", logout: "Sign out",
    username: "Username", password: "Password", login: "Sign in", name: "Name", kind: "Kind", media: "Media",
    dial_mode: "Dial mode", priority: "Priority", status: "Status", create: "Create", search: "Search", add: "Add",
    delete: "Delete", contacts: "Contacts", import: "Import", file: "File", preview: "Preview", phone: "Phone",
    id_number: "ID number", reason: "Reason", value: "Number / ID", role: "Role", display_name: "Name",
    extension: "Extension", action: "Action", time: "Time", result: "Result", attempts: "Attempts",
    not_dialable: "Not dialable because", imported: "Imported", duplicates: "Duplicates", blocked: "Blocked",
    rejected: "Rejected", total: "Total", back: "Back", saved: "Saved", row: "Row", field: "Field", message: "Message",
    pending: "Pending", in_progress: "On a call", completed: "Completed", failed: "Failed", maintenance: "Needs fixing",
    cancelled: "Cancelled", blacklisted: "Blacklisted", do_not_disturb: "Do not disturb", attempts_exhausted: "Attempts used up",
    retry_not_due: "Retry not due", outside_window: "Outside calling hours", outside_period: "Outside campaign period", no_number: "No number left",
    callback_scheduled: "Callback booked", abandoned_recently: "Abandoned call within 72 h",
    draft: "Draft", running: "Running", paused: "Paused", stopped: "Stopped",
    blocked_by: "Blacklist entry", alt_phone: "Alt. phone", until: "until", manual: "manual", agent: "agent",
    invalid_number: "invalid number", customer_request: "customer request", duplicate_of: "Duplicate of",
    dup_of_row: "duplicate of row {n}", dup_of_contact: "duplicate of contact #{n}", dup_of_entry: "already blacklisted (entry #{n})",
    dnc_exists: "{value} is already blacklisted; the entry is kept unchanged. Reasons: {reasons}", add_reason: "Add my reason",
    // the delivery log and test messages (outbound.js)
    outbound: "SMS / email / fax", ob_send_test: "Send a test message", ob_channel: "Channel", ob_to: "To", ob_subject: "Subject", ob_text: "Text",
    ob_send: "Send", ob_purpose: "Purpose", ob_provider: "Provider", ob_parts: "Parts / pages", ob_code: "Code", ob_error: "Error", ob_simulated_tag: "simulated",
    ob_simulated_note: "Messages marked simulated went to the built-in capture and left nothing (no SMS or email provider configured).",
    ob_campaign: "campaign", ob_notification: "notification", ob_test: "test", ob_report: "scheduled report", ob_sms: "SMS", ob_email: "email", ob_fax: "fax",
    ob_queued: "Queued", ob_sent: "Sent", ob_delivered: "Delivered", ob_all: "All", ob_body: "Body", ob_test_sent: "Test message logged: ",
    ob_refresh: "Refresh",
    ob_status: "Status", ob_failed: "Failed",
    ob_fax_documents: "Fax documents", ob_pdf: "PDF file", ob_upload: "Upload", ob_pages: "Pages", ob_doc_id: "Document id",
    ob_fax_note: "An uploaded PDF is converted to a fax TIFF (G3, 204x196); a fax campaign's document_id names it.",
  },
};
let lang = localStorage.getItem("lang") || "zh-CN";
function t(key) { return (I18N[lang] && I18N[lang][key]) || key; }
function applyI18n(root = document) {
  root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.documentElement.lang = lang;
  const b = document.getElementById("lang");
  if (b) b.textContent = lang === "zh-CN" ? "English" : "中文";
}
