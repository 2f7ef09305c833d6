// The open SegmentStream reactors: ends idle ones (nothing received or sent for idle_timeout)
// and resumes reads that rate policing delayed, both from one reaper thread.
//
// Thread-safety: thread-safe. Reactors add themselves on construction and remove themselves
// in OnDone; the reaper calls them only under the registry's mutex (so a reactor cannot be
// deleted meanwhile) and finishes them after releasing it. Lock order: registry mu_, then a
// reactor's mutex; timer_mu_ is a leaf (reactors schedule resumes while holding their own).
#ifndef BOTM_SERVER_STREAM_REGISTRY_H_
#define BOTM_SERVER_STREAM_REGISTRY_H_

#include <map>
#include <set>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace botm::server {

class StreamReactor;

struct StreamRegistryOptions {
  // Streams idle this long are ended with DEADLINE_EXCEEDED.
  absl::Duration idle_timeout = absl::Seconds(300);
  // How often the reaper looks for idle streams.
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
  // Calls reactor->ResumeRead() at `when` (if the reactor is still open then). At most one
  // resume per reactor is pending: the reactor schedules only while its reads are paused.
  void ScheduleResume(StreamReactor* reactor, absl::Time when);

 private:
  void ReapLoop();
  void EndIdleStreams();
  void ResumeDue(const std::vector<StreamReactor*>& due);
  bool Woken() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(timer_mu_) { return stop_ || timer_added_; }

  const StreamRegistryOptions options_;
  absl::Mutex mu_;
  std::set<StreamReactor*> open_ ABSL_GUARDED_BY(mu_);
  absl::Mutex timer_mu_;
  std::multimap<absl::Time, StreamReactor*> resumes_ ABSL_GUARDED_BY(timer_mu_);
  bool timer_added_ ABSL_GUARDED_BY(timer_mu_) = false;
  bool stop_ ABSL_GUARDED_BY(timer_mu_) = false;
  std::thread reaper_;
};

}  // namespace botm::server

#endif  // BOTM_SERVER_STREAM_REGISTRY_H_
