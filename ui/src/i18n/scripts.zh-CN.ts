// zh-CN labels of the script and knowledge-base pages (issues 12, 13), kept apart
// from zh-CN.ts so other pages' additions merge without conflicts; the same keys
// as scripts.en.ts.
export default {
  scripts: {
    menu: "话术问卷", title: "话术问卷", list: "话术列表", feedback: "坐席反馈", report: "答案报表", search: "按标题或内容查询（支持中文）",
    new: "新建话术", import: "导入话术", design: "设计", version: "最新版本", published: "发布版本", unpublished: "未发布",
    updated: "更新时间", script_title: "话术标题", kinds: "适用活动类型",
    import_file: "选择文件", import_hint: "支持 xlsx、docx、doc、txt、csv；表头：编号、问题、类型、选项、跳转、结果",
    import_title_hint: "留空则取文件中的标题或文件名", encoding: "编码（txt）", sheet: "工作表（xlsx）", import_errors: "文件有误，未导入任何内容：",
    row: "行", field: "列", message: "说明", imported: "已导入为草稿：{title}", no_file: "请先选择文件",
    fb_script: "话术", fb_node: "节点", fb_version: "版本", fb_comment: "反馈内容", fb_answer: "答复", fb_status: "状态",
    fb_reply: "答复", fb_answered: "已答复", fb_resolve: "答复并关闭", fb_open: "待处理", fb_none: "暂无反馈",
    rp_campaign: "选择活动", rp_sessions: "话术会话数", rp_node: "问题", rp_text: "题目", rp_answer: "答案", rp_count: "次数",
    rp_download: "下载 Excel", rp_outcomes: "结果与处理结果", rp_outcome: "结果", rp_disposition: "处理结果", rp_empty: "该活动暂无话术答案",
  },
  designer: {
    title: "话术设计", save: "保存", save_publish: "保存并发布", publish: "发布此版本", preview: "预览", versions: "历史版本",
    saved: "已保存版本 {v}", published: "已发布版本 {v}", unsaved: "有未保存的修改", errors: "保存失败，请按节点修改：",
    palette: "拖入画布：", add_text: "话术", add_question: "问题", add_end: "结束", drag_hint: "拖动节点移动；从节点右侧的圆点拖到另一个节点连线；拖到空白处断开",
    start: "开始", set_start: "设为开始节点", node: "节点", node_id: "节点编号", type: "节点类型", text: "内容",
    text_hint: "可插入客户字段，如：", answer_type: "答案类型", required: "必答",
    options: "选项", option_value: "值", option_label: "显示文字", add_option: "添加选项", branches: "条件分支", add_branch: "添加分支",
    branch_value: "比较值", goes_to: "跳转到", next: "下一步", next_other: "其他答案", outcome: "结果代码", outcome_hint: "处理结果，小写字母、数字、下划线",
    delete_node: "删除节点", no_node: "点击画布上的节点进行编辑", none: "（无）", version_n: "版本 {v}", current: "当前发布", view: "查看",
    note: "版本说明", id_taken: "编号已被使用", new_title: "新话术", leave: "有未保存的修改，确定离开？",
    pv_title: "预览（按坐席的方式走一遍）", pv_fields: "示例客户", pv_next: "下一步", pv_back: "上一步", pv_restart: "重新开始",
    pv_end: "结束，结果：{outcome}", pv_path: "已走过", pv_nowhere: "这个答案没有去处", pv_bad: "答案无效：{why}",
    pv_why: { required: "必须作答", option: "不是选项之一", number: "不是数字", rating: "评分为 1 到 10", date: "日期格式 YYYY-MM-DD" },
  },
  kb: {
    menu: "知识库", menu_search: "知识搜索", title: "知识库管理", search_title: "知识搜索", new: "新建文章", edit: "编辑文章",
    article_title: "标题", category: "分类", tags: "标签", tags_hint: "输入后回车", body: "正文", status: "状态", version: "版本",
    published_version: "发布版本", attachments: "附件", attach: "上传附件", attach_hint: "保存后可上传附件，单个不超过 10 MB",
    search: "关键词（标题、标签、正文）", all_categories: "全部分类", all_status: "全部状态", results: "共 {n} 篇，按标题、标签、正文排序",
    no_results: "没有找到相关文章", read: "阅读", set: "改为", updated: "更新时间", size: "大小",
  },
  enum: {
    node_type: { text: "话术", question: "问题", end: "结束" },
    answer_type: { single: "单选", multi: "多选", number: "数字", date: "日期", text: "文本", rating: "评分", yes_no: "是非" },
    branch_op: { eq: "等于", ne: "不等于", lt: "小于", le: "不大于", gt: "大于", ge: "不小于", contains: "包含" },
    feedback_status: { open: "待处理", answered: "已答复", resolved: "已关闭" },
    article_status: { draft: "草稿", published: "已发布", retired: "已停用" },
  },
};
