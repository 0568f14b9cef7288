// Labels of the in-browser phone (components/WebPhone.vue), merged into the
// base set by index.ts.
export default {
  webphone: {
    toggle: "使用浏览器作为我的电话",
    toggle_hint: "没有座席话机时，由浏览器注册您的分机（需要麦克风）",
    title: "浏览器电话",
    state: {
      loading: "读取配置…",
      connecting: "正在连接",
      registered: "已注册",
      unregistered: "未注册",
      failed: "注册失败",
    },
    call: { ringing: "来电振铃", connected: "通话中" },
    from: "主叫：{who}",
    answer: "接听",
    hangup: "挂断",
    mute: "静音",
    unmute: "取消静音",
    auto_answer: "自动接听",
    auto_answer_hint: "“常连接”模式下，签入时服务器呼叫的坐席腿由浏览器自动接听",
    no_media: "无法使用麦克风：{reason}",
  },
};
