#include "client/channel.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"

namespace botm::client {
namespace {

const char* StateName(grpc_connectivity_state state) {
  switch (state) {
    case GRPC_CHANNEL_IDLE:
      return "IDLE";
    case GRPC_CHANNEL_CONNECTING:
      return "CONNECTING";
    case GRPC_CHANNEL_READY:
      return "READY";
    case GRPC_CHANNEL_TRANSIENT_FAILURE:
      return "TRANSIENT_FAILURE";
    case GRPC_CHANNEL_SHUTDOWN:
      return "SHUTDOWN";
  }
  return "UNKNOWN";
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeCredentials(
    const ChannelOptions& options) {
  const bool has_cert = !options.tls_cert_path.empty();
  const bool has_key = !options.tls_key_path.empty();
  if (options.tls_ca_path.empty()) {
    if (has_cert || has_key) {
      return absl::InvalidArgumentError("--tls_cert/--tls_key need --tls_ca (TLS)");
    }
    return grpc::InsecureChannelCredentials();
  }
  if (has_cert != has_key) {
    return absl::InvalidArgumentError("mutual TLS needs both --tls_cert and --tls_key");
  }
  grpc::SslCredentialsOptions ssl;
  absl::StatusOr<std::string> ca = ReadFileToString(options.tls_ca_path);
  if (!ca.ok()) return ca.status();
  ssl.pem_root_certs = *std::move(ca);
  if (has_cert) {
    absl::StatusOr<std::string> cert = ReadFileToString(options.tls_cert_path);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadFileToString(options.tls_key_path);
    if (!key.ok()) return key.status();
    ssl.pem_cert_chain = *std::move(cert);
    ssl.pem_private_key = *std::move(key);
  }
  return grpc::SslCredentials(ssl);
}

}  // namespace

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open file '", path, "'"));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(const ChannelOptions& options) {
  if (options.address.empty()) return absl::InvalidArgumentError("empty server address");
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials = MakeCredentials(options);
  if (!credentials.ok()) return credentials.status();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  args.SetMaxSendMessageSize(options.max_receive_message_bytes);
  if (options.own_connection) args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(options.address, *credentials, args);
  const auto deadline =
      std::chrono::system_clock::now() + std::chrono::milliseconds(options.connect_timeout_ms);
  if (!channel->WaitForConnected(deadline)) {
    return absl::UnavailableError(absl::StrCat(
        "cannot connect to server at ", options.address, " within ", options.connect_timeout_ms,
        " ms (channel state ", StateName(channel->GetState(false)), ")"));
  }
  return channel;
}

absl::Status FromGrpcStatus(const grpc::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

void AttachRetryAfter(const grpc::ClientContext& context, absl::Status* status) {
  if (status->ok()) return;
  const auto& trailers = context.GetServerTrailingMetadata();
  const auto hint = trailers.find("retry-after-ms");
  if (hint == trailers.end()) return;
  status->SetPayload(kRetryAfterPayload,
                     absl::Cord(absl::string_view(hint->second.data(), hint->second.size())));
}

int64_t RetryAfterMs(const absl::Status& status) {
  const absl::optional<absl::Cord> hint = status.GetPayload(kRetryAfterPayload);
  int64_t ms = -1;
  if (!hint.has_value() || !absl::SimpleAtoi(std::string(*hint), &ms) || ms < 0) return -1;
  return ms;
}

}  // namespace botm::client
