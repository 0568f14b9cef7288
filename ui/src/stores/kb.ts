import { defineStore } from "pinia";
import { api, query, type Page } from "@/api/client";

export interface Article {
  id: number;
  title: string;
  category: string;
  tags: string[] | null;
  body: string;
  status: string;
  version: number;
  published_version: number;
  updated_at: string;
  attachments?: Attachment[];
}
export interface Attachment {
  id: number;
  article_id: number;
  name: string;
  content_type: string;
  size: number;
  created_at: string;
}
export interface ArticleForm {
  title: string;
  category: string;
  tags: string[];
  body: string;
}

export const ARTICLE_STATUSES = ["draft", "published", "retired"];

export function articleForm(a?: Article): ArticleForm {
  return { title: a?.title || "", category: a?.category || "", tags: [...(a?.tags || [])], body: a?.body || "" };
}

// statusActions says which status changes a manager may make from a status.
export function statusActions(status: string): string[] {
  switch (status) {
    case "published":
      return ["retired", "draft"];
    case "retired":
      return ["published", "draft"];
    default:
      return ["published", "retired"];
  }
}

export function attachmentURL(a: Attachment): string {
  return `/api/v1/kb/read/${a.article_id}/attachments/${a.id}`;
}

// The managers' article list and editing.
export const useArticles = defineStore("articles", {
  state: () => ({ items: [] as Article[], total: 0, q: "", category: "", status: "", page: 1, pageSize: 20, loading: false, categories: [] as { category: string; count: number }[] }),
  actions: {
    async load() {
      this.loading = true;
      try {
        const r = await api<Page<Article>>("GET", "/kb/articles" + query({ q: this.q.trim(), category: this.category, status: this.status, page: this.page, page_size: this.pageSize }));
        this.items = r.items;
        this.total = r.total;
      } finally {
        this.loading = false;
      }
    },
    async loadCategories() {
      this.categories = (await api<Page<{ category: string; count: number }>>("GET", "/kb/categories")).items;
    },
    get(id: number) {
      return api<Article>("GET", `/kb/articles/${id}`);
    },
    async save(form: ArticleForm, id?: number): Promise<Article> {
      const body = { ...form, title: form.title.trim(), category: form.category.trim(), tags: form.tags.map((t) => t.trim()).filter(Boolean) };
      const a = id ? await api<Article>("PATCH", `/kb/articles/${id}`, body) : await api<Article>("POST", "/kb/articles", body);
      await this.load();
      return a;
    },
    async setStatus(id: number, status: string) {
      const a = await api<Article>("POST", `/kb/articles/${id}/status`, { status });
      const i = this.items.findIndex((x) => x.id === id);
      if (i >= 0) this.items[i] = { ...this.items[i], ...a };
      return a;
    },
    attach(id: number, file: File) {
      const fd = new FormData();
      fd.append("file", file);
      return api<Attachment>("POST", `/kb/articles/${id}/attachments`, fd);
    },
    detach(id: number, attachmentID: number) {
      return api("DELETE", `/kb/articles/${id}/attachments/${attachmentID}`);
    },
  },
});

// The agents' search over published articles, ranked by the server.
export const useKbSearch = defineStore("kbSearch", {
  state: () => ({ items: [] as Article[], total: 0, q: "", category: "", tag: "", loading: false, searched: false, open: null as Article | null }),
  actions: {
    async search() {
      this.loading = true;
      try {
        const r = await api<Page<Article>>("GET", "/kb/search" + query({ q: this.q.trim(), category: this.category, tag: this.tag }));
        this.items = r.items;
        this.total = r.total;
        this.searched = true;
      } finally {
        this.loading = false;
      }
    },
    async read(id: number) {
      this.open = await api<Article>("GET", `/kb/read/${id}`);
    },
  },
});
