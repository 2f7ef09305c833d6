// Connecting to a botm-server: insecure, TLS or mutual TLS channels with a bounded connect
// wait, and the one place where grpc::Status becomes absl::Status.
//
// Thread-safety: the functions are thread-safe; the returned channel is shared and
// thread-safe (gRPC's own contract).
#ifndef BOTM_CLIENT_CHANNEL_H_
#define BOTM_CLIENT_CHANNEL_H_

#include <cstdint>
#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace botm::client {

struct ChannelOptions {
  // "host:port" (or any gRPC target such as "unix:/path").
  std::string address;
  // PEM file of the CA that signed the server certificate; empty = insecure channel.
  std::string tls_ca_path;
  // Client certificate chain and key (PEM) for mutual TLS; both or neither, only with TLS.
  std::string tls_cert_path;
  std::string tls_key_path;
  // How long Connect() waits for the channel to become READY.
  int64_t connect_timeout_ms = 5000;
  // Largest message accepted from the server.
  int max_receive_message_bytes = 64 << 20;
  // A TCP connection of this channel's own, not shared with other channels to the same server
  // (gRPC shares them by default); e.g. to act as a separate client.
  bool own_connection = false;
};

// Creates the channel and waits until it is connected. Unavailable naming the address when it
// does not connect within connect_timeout_ms; InvalidArgument for unreadable TLS files or a
// certificate without a key.
absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(const ChannelOptions& options);

// Converts a gRPC status to an absl::Status with the same code (the codes map one to one),
// prefixing the message with `what` ("SegmentStream: ...").
absl::Status FromGrpcStatus(const grpc::Status& status, absl::string_view what);

// The payload type under which a failed call's server retry hint (the `retry-after-ms`
// trailer, sent with RESOURCE_EXHAUSTED) travels on the absl::Status.
inline constexpr char kRetryAfterPayload[] = "type.botm/retry-after-ms";

// Attaches the `retry-after-ms` trailer of a finished call to `status` (when both exist).
void AttachRetryAfter(const grpc::ClientContext& context, absl::Status* status);

// Returns the server's retry hint in milliseconds carried by `status`, or -1 without one.
int64_t RetryAfterMs(const absl::Status& status);

// Reads a whole file. NotFound naming the path when it cannot be opened.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

}  // namespace botm::client

#endif  // BOTM_CLIENT_CHANNEL_H_
