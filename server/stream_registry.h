// The open SegmentStream reactors: counts them for draining at shutdown and ends idle ones
// (no message for stream_idle_timeout) from a reaper thread.
//
// Thread-safety: thread-safe. Reactors add themselves on construction and remove themselves
// in OnDone; the reaper calls them only under the registry's mutex and finishes them after
// releasing it.
#ifndef BOTM_SERVER_STREAM_REGISTRY_H_
#define BOTM_SERVER_STREAM_REGISTRY_H_

#include <set>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace botm::server {

class StreamReactor;

struct StreamRegistryOptions {
  // Streams idle this long are ended with DEADLINE_EXCEEDED.
  absl::Duration idle_timeout = absl::Seconds(300);
  // How often the reaper looks.
  absl::Duration check_period = absl::Seconds(1);
};

class StreamRegistry {
 public:
  // Starts the reaper thread.
  explicit StreamRegistry(const StreamRegistryOptions& options);
  // Stops the reaper thread (the streams themselves are ended by the gRPC server).
  ~StreamRegistry();
  StreamRegistry(const StreamRegistry&) = delete;
  StreamRegistry& operator=(const StreamRegistry&) = delete;

  void Add(StreamReactor* reactor);
  void Remove(StreamReactor* reactor);
  int size() const;
  // Blocks until no stream is open or `deadline` passes; returns whether it emptied.
  bool WaitUntilEmpty(absl::Time deadline);

 private:
  void ReapLoop();
  bool Stopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; }
  bool Empty() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return open_.empty(); }

  const StreamRegistryOptions options_;
  mutable absl::Mutex mu_;
  std::set<StreamReactor*> open_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread reaper_;
};

}  // namespace botm::server

#endif  // BOTM_SERVER_STREAM_REGISTRY_H_
