#include "cli.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "heartwave/core/error.hpp"
#include "heartwave/core/version.hpp"

namespace heartwave::cli {

std::string default_data_dir() {
  if (const char* env = std::getenv("HEARTWAVE_DATA"); env && *env) return env;
  return "../shared/data/mitdb";
}

namespace {

int exit_code(ErrorKind k) {
  switch (k) {
    case ErrorKind::io: return 3;
    case ErrorKind::parse:
    case ErrorKind::format: return 4;
    case ErrorKind::checksum: return 5;
    case ErrorKind::unsupported: return 6;
    case ErrorKind::network: return 7;
    case ErrorKind::invalid_argument: return 8;
  }
  return 1;
}

}  // namespace

int main_entry(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("heartwave");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%^%l%$: %v");

  CLI::App app{"heartwave: ECG heartbeat classification toolkit"};
  app.set_version_flag("--version", "heartwave " + version_string());
  app.require_subcommand(1);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Log more detail to stderr");

  int status = 0;
  DataBuildArgs build;
  DataFetchArgs fetch;
  RecordInfoArgs info;
  register_data(app, build, fetch, status);
  register_record(app, info, status);
  TrainArgs train;
  EvaluateArgs evaluate;
  PredictArgs predict;
  register_train(app, train, status);
  register_evaluate(app, evaluate, status);
  register_predict(app, predict, status);
  TuneArgs tune;
  register_tune(app, tune, status);
  CvArgs cv;
  register_cv(app, cv, status);
  CompareArgs compare;
  register_compare(app, compare, status);
  SelectArgs select;
  register_select(app, select, status);

  if (argc <= 1) {
    std::fputs(app.help().c_str(), stdout);
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (verbose) spdlog::set_level(spdlog::level::debug);
  return status;
}

// Shared wrapper: runs a command, turning library errors into exit codes.
int guarded(const std::function<int()>& fn) {
  try {
    return fn();
  } catch (const Error& e) {
    spdlog::error("{} ({})", e.what(), to_string(e.kind()));
    return exit_code(e.kind());
  } catch (const std::filesystem::filesystem_error& e) {
    spdlog::error("{}", e.what());
    return 3;
  } catch (const std::exception& e) {
    spdlog::error("internal error: {}", e.what());
    return 1;
  }
}

}  // namespace heartwave::cli
