import { createI18n } from "vue-i18n";
import zh from "./zh-CN";
import en from "./en";
import adminZh from "./admin.zh-CN";
import adminEn from "./admin.en";
import scriptsZh from "./scripts.zh-CN";
import scriptsEn from "./scripts.en";
import insightZh from "./insight.zh-CN";
import insightEn from "./insight.en";
import webphoneZh from "./webphone.zh-CN";
import webphoneEn from "./webphone.en";

export type Lang = "zh-CN" | "en";
export const LANG_KEY = "lang"; // the chosen language (localStorage)

export function savedLang(): Lang {
  try {
    return localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh-CN";
  } catch {
    return "zh-CN";
  }
}

// deepMerge joins a page set's labels (admin.*.ts) into the base ones; a
// group present in both (enum) gets the keys of each.
export function deepMerge<A extends object, B extends object>(a: A, b: B): A & B {
  const out: any = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = v && typeof v === "object" && out[k] && typeof out[k] === "object" ? deepMerge(out[k], v) : v;
  }
  return out;
}

export const i18n = createI18n({
  legacy: false,
  locale: savedLang(),
  fallbackLocale: "zh-CN",
  messages: {
    "zh-CN": deepMerge(deepMerge(deepMerge(deepMerge(zh, adminZh), scriptsZh), insightZh), webphoneZh),
    en: deepMerge(deepMerge(deepMerge(deepMerge(en, adminEn), scriptsEn), insightEn), webphoneEn),
  },
});

// setLang switches every label, the page's lang attribute, and remembers the choice.
export function setLang(lang: Lang) {
  i18n.global.locale.value = lang;
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    /* private mode: not remembered */
  }
}

// enumLabel translates a server enum value; an unknown one shows as sent.
export function enumLabel(group: string, value: string | undefined | null): string {
  if (!value) return "";
  const key = `enum.${group}.${value}`;
  return i18n.global.te(key) ? i18n.global.t(key) : value;
}
