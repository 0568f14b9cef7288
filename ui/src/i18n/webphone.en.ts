// Labels of the in-browser phone (components/WebPhone.vue), merged into the
// base set by index.ts.
export default {
  webphone: {
    toggle: "Use the browser as my phone",
    toggle_hint: "Without a desk phone the browser registers your extension (needs the microphone)",
    title: "Browser phone",
    state: {
      loading: "Reading the settings…",
      connecting: "Connecting",
      registered: "Registered",
      unregistered: "Not registered",
      failed: "Registration failed",
    },
    call: { ringing: "Incoming call", connected: "On the line" },
    from: "From {who}",
    answer: "Answer",
    hangup: "Hang up",
    mute: "Mute",
    unmute: "Unmute",
    auto_answer: "Auto-answer",
    auto_answer_hint: "In nailed-up mode the agent leg the server calls at sign-in is answered by itself",
    no_media: "The microphone cannot be used: {reason}",
  },
};
