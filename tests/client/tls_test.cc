// TLS and mutual TLS between botm-client and a real botm-server, with a throw-away CA, server
// and client certificates made by the openssl command-line tool.
#include <fstream>

#include <gtest/gtest.h>

#include "client/channel.h"
#include "tests/client/subprocess.h"
#include "tests/client/test_server.h"

namespace botm::client {
namespace {

using testing::RunCommand;

// Runs openssl with `args` in `dir`, failing the test on a non-zero exit.
void OpenSsl(const std::string& dir, const std::string& args) {
  auto result =
      RunCommand({"/bin/sh", "-c", "cd '" + dir + "' && openssl " + args}, absl::Seconds(60));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->exit_code, 0) << args << "\n" << result->output;
}

// Makes ca.pem, NAME.pem and NAME.key (signed by the CA) for `name` with `ext` extensions.
void MakeCertificate(const std::string& dir, const std::string& name, const std::string& ext) {
  OpenSsl(dir, "req -newkey rsa:2048 -nodes -keyout " + name + ".key -out " + name +
                   ".csr -subj /CN=" + name);
  std::ofstream(dir + "/" + name + ".ext") << ext << "\n";
  OpenSsl(dir, "x509 -req -in " + name + ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -out " +
                   name + ".pem -days 2 -extfile " + name + ".ext");
}

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::MakeTempDir("tls"));
    OpenSsl(*dir_,
            "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
            "-subj /CN=botm-test-ca");
    MakeCertificate(*dir_, "server", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    MakeCertificate(*dir_, "client", "extendedKeyUsage=clientAuth");
    ChannelOptions channel;
    channel.tls_ca_path = *dir_ + "/ca.pem";
    channel.tls_cert_path = *dir_ + "/client.pem";
    channel.tls_key_path = *dir_ + "/client.key";
    auto server = testing::StartTestServer(
        BOTM_SERVER_BIN, *dir_,
        {"--tls_cert=" + *dir_ + "/server.pem", "--tls_key=" + *dir_ + "/server.key",
         "--tls_client_ca=" + *dir_ + "/ca.pem"},
        channel);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = new testing::TestServer(*std::move(server));
  }

  static void TearDownTestSuite() {
    if (server_ != nullptr) {
      EXPECT_TRUE(testing::StopTestServer(server_).ok());
      delete server_;
      server_ = nullptr;
    }
  }

  static std::vector<std::string> Health(const std::vector<std::string>& tls_flags) {
    std::vector<std::string> argv = {BOTM_CLIENT_BIN, "health", "--server=" + server_->address,
                                     "--connect_timeout_ms=2000"};
    argv.insert(argv.end(), tls_flags.begin(), tls_flags.end());
    return argv;
  }

  static std::string* dir_;
  static testing::TestServer* server_;
};
std::string* TlsTest::dir_ = nullptr;
testing::TestServer* TlsTest::server_ = nullptr;

TEST_F(TlsTest, MutualTlsClientIsServed) {
  auto result =
      RunCommand(Health({"--tls_ca=" + *dir_ + "/ca.pem", "--tls_cert=" + *dir_ + "/client.pem",
                         "--tls_key=" + *dir_ + "/client.key"}),
                 absl::Seconds(30));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0) << result->output;
  EXPECT_NE(result->output.find("SERVING"), std::string::npos);
}

TEST_F(TlsTest, ClientWithoutCertificateOrTlsIsRefused) {
  auto no_cert = RunCommand(Health({"--tls_ca=" + *dir_ + "/ca.pem"}), absl::Seconds(30));
  ASSERT_TRUE(no_cert.ok()) << no_cert.status();
  EXPECT_NE(no_cert->exit_code, 0) << no_cert->output;
  auto insecure = RunCommand(Health({}), absl::Seconds(30));
  ASSERT_TRUE(insecure.ok()) << insecure.status();
  EXPECT_NE(insecure->exit_code, 0) << insecure->output;
  EXPECT_NE(insecure->output.find(server_->address), std::string::npos) << insecure->output;
}

}  // namespace
}  // namespace botm::client
