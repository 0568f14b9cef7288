import { createApp } from "vue";
import { createPinia } from "pinia";
import ElementPlus from "element-plus";
import "element-plus/dist/index.css";
import "./style.css";
import App from "./App.vue";
import { i18n, savedLang } from "./i18n";
import { makeRouter } from "./router";
import { setHooks } from "./api/client";
import { useAuth } from "./stores/auth";
import { useDlp } from "./stores/dlp";

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
app.use(i18n);
app.use(ElementPlus);
const router = makeRouter();
app.use(router);
document.documentElement.lang = savedLang();

// The server ends a session (401) or locks the screen (423): follow it.
setHooks({
  unauthenticated: () => {
    const auth = useAuth(pinia);
    if (!auth.signedIn) return;
    auth.lost();
    useDlp(pinia).stop();
    router.push({ name: "login" });
  },
  locked: () => useDlp(pinia).showLock(),
});

app.mount("#app");
