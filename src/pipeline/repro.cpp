// heartwave repro: the selected stages, upstream first, each skipped,
// restored from the run cache or run, its lock entry written only after its
// command succeeded and its outputs were hashed and cached.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <set>

#include "heartwave/core/error.hpp"
#include "heartwave/pipeline/cache.hpp"
#include "heartwave/pipeline/repro.hpp"

namespace heartwave::pipeline {

namespace fs = std::filesystem;

namespace {

// One repro at a time per pipeline folder (.heartwave/tmp/repro.lock, flock;
// released by the kernel however this process ends).
class ReproLock {
 public:
  explicit ReproLock(const Pipeline& p) {
    const fs::path dir = p.root / ".heartwave" / "tmp";
    fs::create_directories(dir);
    const fs::path f = dir / "repro.lock";
    fd_ = ::open(f.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw IoError(f.string() + ": cannot open: " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      throw InvalidArgument(f.string() + ": another `heartwave repro` is running on this pipeline");
    }
  }
  ~ReproLock() { ::close(fd_); }
  ReproLock(const ReproLock&) = delete;
  ReproLock& operator=(const ReproLock&) = delete;

 private:
  int fd_ = -1;
};

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// The inputs must all be there before anything runs.
void check_inputs(const Stage& s, const StageState& now, const Pipeline& p, Params& params) {
  for (const auto& d : now.deps)
    if (!d.exists())
      throw IoError("stage " + quoted(s.name) + ": dependency " + quoted(d.path) + " does not exist (" +
                    (fs::path(d.path).is_absolute() ? fs::path(d.path) : p.root / d.path).string() + ")");
  for (std::size_t i = 0; i < now.params.size(); ++i)
    if (now.params[i].value.empty()) params.value(s.params[i], "stage " + quoted(s.name));  // throws, naming the key
}

bool restorable(const Cache& cache, const StageState& run) {
  for (const auto& o : run.outs)
    if (!cache.has(o)) return false;
  return true;
}

}  // namespace

ReproResult reproduce(const Pipeline& p, const ReproOptions& opt, std::ostream& log) {
  const std::vector<std::size_t> selected = stages_for(p, opt.targets);
  std::unique_ptr<ReproLock> guard;
  if (!opt.dry_run) guard = std::make_unique<ReproLock>(p);
  Params params(p.root);
  LockFile lock = read_lock(p.lock_file());
  Cache cache(p.cache_dir());
  std::vector<std::string> names;
  for (std::size_t i : p.order) names.push_back(p.stages[i].name);
  const std::string lock_name = p.lock_file().filename().string();

  ReproResult r;
  std::set<std::size_t> pending;  // --dry-run: stages that would change their outputs
  for (std::size_t i : selected) {
    const Stage& s = p.stages[i];
    if (s.frozen) {
      log << "Stage " << quoted(s.name) << " is frozen, skipping\n";
      ++r.skipped;
      continue;
    }
    if (opt.dry_run) {
      std::string after;
      for (std::size_t u : p.upstream(i))
        if (pending.count(u)) after += (after.empty() ? "" : ", ") + quoted(p.stages[u].name);
      if (!after.empty()) {
        log << "Would run stage " << quoted(s.name) << " (after " << after << ")\n";
        r.would_run.push_back(s.name);
        pending.insert(i);
        continue;
      }
    }
    const StageStatus st = stage_status(p, s, lock, params);
    if (!opt.force && st.up_to_date) {
      log << "Stage " << quoted(s.name) << " didn't change, skipping\n";
      ++r.skipped;
      continue;
    }
    check_inputs(s, st.now, p, params);
    StageState inputs = st.now;
    inputs.outs.clear();
    const std::string key = run_key(inputs, s.outs);

    // The same inputs ran before: their outputs come back from the cache.
    if (!opt.force && !s.always_changed) {
      const std::optional<StageState> run = cache.find_run(key);
      if (run && restorable(cache, *run)) {
        if (opt.dry_run) {
          log << "Would restore stage " << quoted(s.name) << "'s outputs from the run cache\n";
          r.would_run.push_back(s.name);
          pending.insert(i);
          continue;
        }
        log << "Stage " << quoted(s.name) << " is cached - skipping run, checking out outputs\n";
        for (const auto& o : run->outs) {
          const FileState* now = nullptr;
          for (const auto& f : st.now.outs)
            if (f.path == o.path) now = &f;
          if (!now || !now->same_content(o)) cache.restore(p.root, o);
        }
        lock.stages[s.name] = *run;
        write_lock(p.lock_file(), lock, names);
        log << "Updating lock file " << quoted(lock_name) << "\n";
        ++r.restored;
        continue;
      }
    }
    if (opt.dry_run) {
      log << "Would run stage " << quoted(s.name) << (opt.force ? " (--force)" : "") << "\n";
      for (const auto& c : st.changes) log << "    " << describe(c) << "\n";
      for (const auto& c : s.cmd) log << "> " << c << "\n";
      r.would_run.push_back(s.name);
      pending.insert(i);
      continue;
    }

    log << "Running stage " << quoted(s.name) << (opt.force && st.up_to_date ? " (--force)" : "") << ":\n";
    for (const auto& c : st.changes) log << "    " << describe(c) << "\n";
    // Whatever an earlier (perhaps failed or killed) run left is not kept.
    for (const auto& o : s.outs) {
      fs::remove_all(p.root / o);
      fs::create_directories((p.root / o).parent_path());
    }
    for (const auto& c : s.cmd) {
      log << "> " << c << "\n";
      log.flush();
      const CommandResult cr = run_command(c, p.root);
      if (cr.ok()) continue;
      r.failed_stage = s.name;
      r.interrupted = cr.interrupted;
      if (cr.interrupted) r.error = "interrupted by signal " + std::to_string(cr.interrupted) + " (" + strsignal(cr.interrupted) + ")";
      else if (cr.signal) r.error = "killed by signal " + std::to_string(cr.signal) + " (" + strsignal(cr.signal) + ")";
      else r.error = "command exited with status " + std::to_string(cr.exit_code);
      log << "ERROR: failed to reproduce " << quoted(s.name) << ": " << r.error << "; its outputs are not recorded\n";
      return r;
    }
    StageState done = inputs;
    for (const auto& o : s.outs) {
      FileState f = hash_path(p.root, o);
      if (!f.exists()) {
        r.failed_stage = s.name;
        r.error = "its command did not write the output " + quoted(o);
        log << "ERROR: failed to reproduce " << quoted(s.name) << ": " << r.error << "\n";
        return r;
      }
      done.outs.push_back(std::move(f));
    }
    for (const auto& f : done.outs) cache.store(p.root, f);
    cache.save_run(key, done);
    lock.stages[s.name] = done;
    write_lock(p.lock_file(), lock, names);
    log << "Updating lock file " << quoted(lock_name) << "\n";
    ++r.ran;
  }
  if (opt.dry_run) {
    if (r.would_run.empty()) log << "Data and pipelines are up to date: nothing to reproduce.\n";
  } else if (r.ran == 0 && r.restored == 0) {
    log << "Data and pipelines are up to date: nothing to reproduce.\n";
  }
  return r;
}

}  // namespace heartwave::pipeline
