import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";
import { fileURLToPath } from "node:url";

// The app is served by the Go binary under /app/ (api/routes.go) and built
// into api/web/app, which is committed and embedded with go:embed.
// scripts/ui-build.sh --check rebuilds into a temporary folder and compares.
export default defineConfig({
  base: "/app/",
  plugins: [vue()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  build: {
    outDir: process.env.CC_UI_OUT_DIR || "../api/web/app",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
    rollupOptions: {
      output: {
        // Libraries in chunks of their own, so a page's chunk holds only the page.
        manualChunks(id: string) {
          if (id.includes("node_modules/element-plus") || id.includes("node_modules/@element-plus")) return "element-plus";
          if (id.includes("node_modules/echarts") || id.includes("node_modules/zrender") || id.includes("node_modules/vue-echarts")) return "echarts";
          // The browser phone's SIP stack, loaded only when an agent turns it on.
          if (/node_modules\/(jssip|sdp-transform|debug|ms|events)\//.test(id)) return "jssip";
          if (id.includes("node_modules/")) return "vendor";
          return undefined;
        },
      },
    },
  },
  server: { proxy: { "/api": "http://127.0.0.1:8080", "/healthz": "http://127.0.0.1:8080" } },
  // A generous safety net: mounting Element Plus dialogs is slow on a busy machine.
  test: { environment: "happy-dom", include: ["src/**/*.test.ts"], testTimeout: 60000 },
} as any);
