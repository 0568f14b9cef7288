// English labels of the script and knowledge-base pages; the same keys as
// scripts.zh-CN.ts.
export default {
  scripts: {
    menu: "Scripts", title: "Scripts and questionnaires", list: "Scripts", feedback: "Agent feedback", report: "Answer report",
    search: "Search title or content (Chinese works)", new: "New script", import: "Import", design: "Design", version: "Newest version",
    published: "Published", unpublished: "Not published", updated: "Updated", script_title: "Title", kinds: "Campaign kinds",
    import_file: "Choose file", import_hint: "xlsx, docx, doc, txt or csv; columns id, text, type, options, next, outcome",
    import_title_hint: "Empty: the file's title or its name", encoding: "Encoding (txt)", sheet: "Sheet (xlsx)", import_errors: "The file has errors; nothing was imported:",
    row: "Row", field: "Column", message: "Problem", imported: "Imported as a draft: {title}", no_file: "Choose a file first",
    fb_script: "Script", fb_node: "Node", fb_version: "Version", fb_comment: "Comment", fb_answer: "Answer", fb_status: "Status",
    fb_reply: "Answer", fb_answered: "Answered", fb_resolve: "Answer and resolve", fb_open: "Open", fb_none: "No feedback",
    rp_campaign: "Campaign", rp_sessions: "Script sessions", rp_node: "Question", rp_text: "Text", rp_answer: "Answer", rp_count: "Count",
    rp_download: "Download Excel", rp_outcomes: "Outcomes and dispositions", rp_outcome: "Outcome", rp_disposition: "Disposition", rp_empty: "No script answers in this campaign yet",
  },
  designer: {
    title: "Script designer", save: "Save", save_publish: "Save and publish", publish: "Publish this version", preview: "Preview", versions: "Versions",
    saved: "Saved version {v}", published: "Published version {v}", unsaved: "Unsaved changes", errors: "Not saved; fix these nodes:",
    palette: "Drag onto the canvas:", add_text: "Text", add_question: "Question", add_end: "End", drag_hint: "Drag a node to move it; drag from a dot on its right onto another node to connect; drop on empty space to disconnect",
    start: "Start", set_start: "Make it the start", node: "Node", node_id: "Node id", type: "Node type", text: "Text",
    text_hint: "Customer fields merge in, e.g.", answer_type: "Answer type", required: "Required",
    options: "Options", option_value: "Value", option_label: "Label", add_option: "Add option", branches: "Branches", add_branch: "Add branch",
    branch_value: "Value", goes_to: "Goes to", next: "Next", next_other: "Other answers", outcome: "Outcome", outcome_hint: "The disposition result: a-z, 0-9, _",
    delete_node: "Delete node", no_node: "Click a node on the canvas to edit it", none: "(none)", version_n: "Version {v}", current: "Published", view: "View",
    note: "Version note", id_taken: "That id is taken", new_title: "New script", leave: "Leave without saving your changes?",
    pv_title: "Preview (walk it as an agent would)", pv_fields: "Sample customer", pv_next: "Next", pv_back: "Back", pv_restart: "Start over",
    pv_end: "End, outcome: {outcome}", pv_path: "Path", pv_nowhere: "This answer leads nowhere", pv_bad: "Invalid answer: {why}",
    pv_why: { required: "an answer is required", option: "not one of the options", number: "not a number", rating: "a rating is 1 to 10", date: "a date is YYYY-MM-DD" },
  },
  kb: {
    menu: "Knowledge base", menu_search: "Knowledge search", title: "Knowledge base", search_title: "Knowledge search", new: "New article", edit: "Edit article",
    article_title: "Title", category: "Category", tags: "Tags", tags_hint: "Type and press Enter", body: "Body", status: "Status", version: "Version",
    published_version: "Published", attachments: "Attachments", attach: "Upload attachment", attach_hint: "Attach files after saving, up to 10 MB each",
    search: "Keywords (title, tags, body)", all_categories: "All categories", all_status: "All statuses", results: "{n} articles, ranked title, tags, body",
    no_results: "No article found", read: "Read", set: "Set", updated: "Updated", size: "Size",
  },
  enum: {
    node_type: { text: "Text", question: "Question", end: "End" },
    answer_type: { single: "Single choice", multi: "Multiple choice", number: "Number", date: "Date", text: "Free text", rating: "Rating", yes_no: "Yes/no" },
    branch_op: { eq: "equals", ne: "differs from", lt: "below", le: "at most", gt: "above", ge: "at least", contains: "contains" },
    feedback_status: { open: "Open", answered: "Answered", resolved: "Resolved" },
    article_status: { draft: "Draft", published: "Published", retired: "Retired" },
  },
};
