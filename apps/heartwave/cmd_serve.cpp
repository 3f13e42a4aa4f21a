// heartwave serve: the HTTP API and the web page (serve/service.hpp over
// serve/http_server.hpp). Every flag can come from an environment variable
// (HEARTWAVE_PORT, ...). The socket is bound first, the models then load
// (GET /ready answers 503 until they have), and SIGINT / SIGTERM stop it.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "cli.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/core/version.hpp"
#include "heartwave/serve/http_server.hpp"
#include "heartwave/track/store.hpp"

namespace heartwave::cli {

namespace {

const std::filesystem::path kSource = HEARTWAVE_SOURCE_DIR;

serve::HttpServer* running = nullptr;
extern "C" void on_signal(int) {
  if (running) running->stop();
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

void register_serve(CLI::App& app, ServeArgs& a, int& status) {
  CLI::App* sv = app.add_subcommand("serve", "HTTP API (classify beats, analyse recordings, Holter summary) and the web page");
  sv->add_option("--host", a.host, "Address to listen on (127.0.0.1: this machine only)")->capture_default_str()->envname("HEARTWAVE_HOST");
  sv->add_option("--port", a.port, "Port (0: any free one, printed)")->capture_default_str()->check(CLI::Range(0, 65535))->envname("HEARTWAVE_PORT");
  sv->add_option("--model", a.models,
                 "Model files, the first the default (default: models/default.hwm, models/one-lead.hwm, models/window-only.hwm)")
      ->envname("HEARTWAVE_MODELS")
      ->delimiter(',');
  sv->add_option("--web-dir", a.web_dir, "The built page (web/dist); 'none': no page")->envname("HEARTWAVE_WEB_DIR");
  sv->add_option("--threads", a.threads, "Connections served at once")->capture_default_str()->check(CLI::Range(1, 256))->envname("HEARTWAVE_THREADS");
  sv->add_option("--api-key", a.api_key, "Require Authorization: Bearer KEY on every route but /health and /ready")->envname("HEARTWAVE_API_KEY");
  sv->add_option("--api-key-file", a.api_key_file, "Read the API key from this file")->envname("HEARTWAVE_API_KEY_FILE");
  sv->add_option("--cors-origin", a.cors, "Origins allowed to call the API from a browser (CORS is off without)")
      ->envname("HEARTWAVE_CORS_ORIGINS")
      ->delimiter(',');
  sv->add_option("--max-body", a.max_body_mb, "Largest request body, in MB")->capture_default_str()->check(CLI::Range(0.001, 4096.0))->envname("HEARTWAVE_MAX_BODY");
  sv->add_option("--timeout", a.timeout_s, "Per-request time limit, in seconds")->capture_default_str()->check(CLI::Range(1.0, 3600.0))->envname("HEARTWAVE_TIMEOUT");
  sv->add_option("--tracking", a.tracking,
                 "Tracking store shown in the page's Runs view: a SQLite file or postgresql://USER@HOST/DB (default: $HEARTWAVE_TRACKING, "
                 "else out/tracking.db; 'none': no Runs view)");
  sv->callback([&] { status = run_serve(a); });
}

int run_serve(const ServeArgs& a) {
  return guarded([&] {
    serve::ServiceOptions so;
    if (a.tracking != "none") so.tracking = tracking_path(a.tracking).string();
    if (a.models.empty())
      for (const char* f : {"default.hwm", "one-lead.hwm", "window-only.hwm"}) so.models.push_back(kSource / "models" / f);
    else
      for (const auto& m : a.models) so.models.emplace_back(m);
    if (a.web_dir.empty()) {
      if (std::filesystem::is_regular_file(kSource / "web" / "dist" / "index.html")) so.web_dir = kSource / "web" / "dist";
      else spdlog::warn("no page: {} is not built (cd web && npm ci && npm run build); the API alone is served", (kSource / "web" / "dist").string());
    } else if (a.web_dir != "none") {
      so.web_dir = a.web_dir;
    }
    so.api_key = a.api_key;
    if (!a.api_key_file.empty()) {
      std::ifstream f(a.api_key_file);
      if (!f) throw IoError(a.api_key_file + ": cannot read the API key file");
      std::string key;
      std::getline(f, key);
      so.api_key = trim(key);
      if (so.api_key.empty()) throw InvalidArgument(a.api_key_file + ": the API key file is empty");
    }
    so.cors_origins = a.cors;
    so.max_body_bytes = static_cast<std::size_t>(a.max_body_mb * 1024 * 1024);
    so.timeout_s = a.timeout_s;
    serve::Service service(so);
    serve::ServerOptions ho;
    ho.host = a.host;
    ho.port = a.port;
    ho.threads = a.threads;
    ho.timeout_s = a.timeout_s;
    ho.max_body_bytes = so.max_body_bytes;
    serve::HttpServer server(service, ho);
    server.bind();
    running = &server;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::exception_ptr load_error;
    std::thread loader([&] {
      try {
        service.load();
        spdlog::info("ready: {} model(s){}", so.models.size(), so.web_dir.empty() ? ", no page" : ", page from " + so.web_dir.string());
      } catch (...) {
        load_error = std::current_exception();
        server.stop();
      }
    });
    std::printf("heartwave %s serving on http://%s:%d/%s\n", version_string().c_str(), a.host.c_str(), server.port(),
                so.api_key.empty() ? "" : " (API key required)");
    std::fflush(stdout);
    server.serve();
    loader.join();
    running = nullptr;
    if (load_error) std::rethrow_exception(load_error);
    return 0;
  });
}

}  // namespace heartwave::cli
