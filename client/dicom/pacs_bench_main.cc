// botm-dicom-bench: PACS-path numbers with a real botm-server and a real Orthanc (see
// scripts/bench-dicom.sh, which starts both). Runs the listener in-process (the same code as
// `botm-dicom listen`), sends synthetic cines to it by C-STORE and reports
//   1. latency: C-STORE receipt of a cine (--frames, default 60) to its SEG and SR stored in
//      the PACS (the PACS's C-STORE success), and the share of it spent in the model (the
//      server's inference time summed over frames), over --latency_runs sequential objects;
//   2. throughput: objects per minute through the listener with --senders concurrent senders.
// Every delivered study is checked in Orthanc's REST API (one SEG and one SR).
#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "client/dicom/listener.h"
#include "client/dicom/privacy.h"
#include "client/dicom/synthetic_us.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "botm-server address");
ABSL_FLAG(std::string, pacs, "ORTHANC@127.0.0.1:4242", "PACS C-STORE destination AE@HOST:PORT");
ABSL_FLAG(std::string, pacs_url, "http://127.0.0.1:8042", "PACS REST root (Orthanc) for checks");
ABSL_FLAG(int, listener_port, 11112, "Port of the in-process listener");
ABSL_FLAG(std::string, work_dir, "/tmp/botm-dicom-bench", "Fixtures and spool (emptied first)");
ABSL_FLAG(int, frames, 60, "Frames per cine");
ABSL_FLAG(int, latency_runs, 5, "Sequential objects for the latency numbers");
ABSL_FLAG(int, senders, 4, "Concurrent C-STORE senders for the throughput number");
ABSL_FLAG(int, objects_per_sender, 5, "Objects each sender sends");
ABSL_FLAG(int, processing_threads, 2, "Listener processing threads");
ABSL_FLAG(std::string, json, "", "Also write the numbers to this JSON file");

namespace botm::dicom {
namespace {

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// Counts a study's instances of `modality` through Orthanc's /tools/find.
int CountInPacs(const std::string& study, const std::string& modality) {
  const std::string query =
      nlohmann::json{{"Level", "Instance"},
                     {"Query", {{"StudyInstanceUID", study}, {"Modality", modality}}}}
          .dump();
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  std::string body;
  const std::string url = absl::GetFlag(FLAGS_pacs_url) + "/tools/find";
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, query.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  if (curl_easy_perform(curl.get()) != CURLE_OK) return -1;
  const nlohmann::json ids = nlohmann::json::parse(body, nullptr, false);
  return ids.is_array() ? static_cast<int>(ids.size()) : -1;
}

// Collects the listener's delivery reports by source UID hash.
class Reports {
 public:
  void Add(const DeliveryReport& r) {
    absl::MutexLock lock(&mu_);
    by_uid_[r.uid_hash] = r;
    arrived_.SignalAll();
  }
  // Waits up to 10 minutes for the object's report; nullopt on timeout.
  std::optional<DeliveryReport> WaitFor(const std::string& uid_hash) {
    const absl::Time deadline = absl::Now() + absl::Minutes(10);
    absl::MutexLock lock(&mu_);
    while (by_uid_.count(uid_hash) == 0) {
      if (arrived_.WaitWithDeadline(&mu_, deadline)) return std::nullopt;
    }
    return by_uid_[uid_hash];
  }

 private:
  absl::Mutex mu_;
  absl::CondVar arrived_;
  std::map<std::string, DeliveryReport> by_uid_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<std::vector<Fixture>> MakeCines(const std::string& dir, int count,
                                               uint64_t first_seed) {
  std::vector<Fixture> out;
  for (int i = 0; i < count; ++i) {
    FixtureOptions o;
    o.seed = first_seed + i;
    o.frames = absl::GetFlag(FLAGS_frames);
    o.colour = FixtureColour::kRgb;
    o.encoding = FixtureEncoding::kJpegBaseline;
    absl::StatusOr<Fixture> f =
        WriteSyntheticUltrasound(o, absl::StrCat(dir, "/cine", first_seed + i, ".dcm"));
    if (!f.ok()) return f.status();
    out.push_back(*f);
  }
  return out;
}

StoreDestination ListenerDestination() {
  StoreDestination d;
  d.called_ae = "BOTMLISTEN";
  d.host = "127.0.0.1";
  d.port = absl::GetFlag(FLAGS_listener_port);
  d.calling_ae = "BOTMBENCH";
  return d;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

bool CheckedInPacs(const Fixture& f) {
  return CountInPacs(f.study_instance_uid, "SEG") == 1 &&
         CountInPacs(f.study_instance_uid, "SR") == 1;
}

// Sends one object, retrying briefly while the listener's port opens (bounded: 10 s).
bool Send(const Fixture& f) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const absl::Status s = StoreFiles(ListenerDestination(), {f.path});
    if (s.ok()) return true;
    if (s.code() != absl::StatusCode::kUnavailable) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

struct Latency {
  std::vector<double> seconds, model_share;
  bool ok = true;
};

// One object at a time: receipt (spool commit) to the PACS's C-STORE success.
Latency MeasureLatency(const std::vector<Fixture>& cines, Reports* reports) {
  Latency out;
  for (const Fixture& f : cines) {
    const std::optional<DeliveryReport> r =
        Send(f) ? reports->WaitFor(HashUid(f.sop_instance_uid)) : std::nullopt;
    if (!r.has_value() || !CheckedInPacs(f)) {
      out.ok = false;
      return out;
    }
    out.seconds.push_back(r->receipt_to_delivery_ms / 1000.0);
    out.model_share.push_back(r->model_ms / r->receipt_to_delivery_ms);
  }
  return out;
}

struct Throughput {
  double wall_s = 0, per_minute = 0;
  int failures = 0;
};

// `senders` threads send their share back to back; the clock stops at the last delivery.
Throughput MeasureThroughput(const std::vector<Fixture>& cines, int senders, Reports* reports) {
  const absl::Time start = absl::Now();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(senders);
  for (int s = 0; s < senders; ++s) {
    threads.emplace_back([&, s] {
      for (size_t i = s; i < cines.size(); i += senders) failures += !Send(cines[i]);
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Fixture& f : cines) {
    failures += !reports->WaitFor(HashUid(f.sop_instance_uid)).has_value();
  }
  Throughput out;
  out.wall_s = absl::ToDoubleSeconds(absl::Now() - start);
  for (const Fixture& f : cines) failures += !CheckedInPacs(f);
  out.failures = failures.load();
  out.per_minute = cines.size() * 60.0 / out.wall_s;
  return out;
}

void Report(const Latency& l, const Throughput& t, int senders, size_t objects) {
  std::printf(
      "C-STORE receipt -> SEG+SR stored (%d frames, %zu runs): median %.2f s (min %.2f, max "
      "%.2f), model share median %.0f %%\n",
      absl::GetFlag(FLAGS_frames), l.seconds.size(), Median(l.seconds),
      *std::min_element(l.seconds.begin(), l.seconds.end()),
      *std::max_element(l.seconds.begin(), l.seconds.end()), 100 * Median(l.model_share));
  std::printf("throughput, %d senders, %zu objects: %.1f objects/min (%.1f s wall), %d failures\n",
              senders, objects, t.per_minute, t.wall_s, t.failures);
  if (absl::GetFlag(FLAGS_json).empty()) return;
  std::ofstream(absl::GetFlag(FLAGS_json)) << nlohmann::json{
      {"frames", absl::GetFlag(FLAGS_frames)},
      {"latency_s", l.seconds},
      {"model_share", l.model_share},
      {"senders", senders},
      {"objects", objects},
      {"wall_s", t.wall_s},
      {"objects_per_minute", t.per_minute},
      {"failures", t.failures}}.dump(2);
}

int Run() {
  const std::string dir = absl::GetFlag(FLAGS_work_dir);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/cines");
  const int senders = absl::GetFlag(FLAGS_senders);
  absl::StatusOr<std::vector<Fixture>> latency_cines =
      MakeCines(dir + "/cines", absl::GetFlag(FLAGS_latency_runs), 1000);
  absl::StatusOr<std::vector<Fixture>> load_cines =
      MakeCines(dir + "/cines", senders * absl::GetFlag(FLAGS_objects_per_sender), 2000);
  if (!latency_cines.ok() || !load_cines.ok()) {
    std::fprintf(stderr, "fixtures: %s %s\n", latency_cines.status().ToString().c_str(),
                 load_cines.status().ToString().c_str());
    return 1;
  }
  Reports reports;
  ListenerOptions o;
  o.scp.port = absl::GetFlag(FLAGS_listener_port);
  o.scp.max_associations = std::max(4, senders);
  o.spool_dir = dir + "/spool";
  o.service_channel.address = absl::GetFlag(FLAGS_server);
  absl::StatusOr<StoreDestination> pacs = ParseDestination(absl::GetFlag(FLAGS_pacs));
  if (!pacs.ok()) {
    std::fprintf(stderr, "%s\n", pacs.status().ToString().c_str());
    return 64;
  }
  o.store_destination = *pacs;
  o.processing_threads = absl::GetFlag(FLAGS_processing_threads);
  o.on_delivered = [&reports](const DeliveryReport& r) { reports.Add(r); };
  absl::StatusOr<std::unique_ptr<Listener>> listener = Listener::Create(o);
  if (!listener.ok() || !(*listener)->Start().ok()) return 1;
  const Latency latency = MeasureLatency(*latency_cines, &reports);
  if (!latency.ok || latency.seconds.empty()) return 1;
  const Throughput throughput = MeasureThroughput(*load_cines, senders, &reports);
  (*listener)->Stop();
  Report(latency, throughput, senders, load_cines->size());
  return throughput.failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace botm::dicom

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  spdlog::set_level(spdlog::level::warn);
  return botm::dicom::Run();
}
