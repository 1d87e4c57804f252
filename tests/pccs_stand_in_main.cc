// pccs_stand_in --collateral DIR [--tdx-collateral DIR] --fmspc HEX --ca processor|platform
//               --port-file FILE
// Serves DIR (and the TDX TCB Info and TD_QE identity of the --tdx-collateral DIR) as a PCCS on
// 127.0.0.1 (random port, written to FILE) until stdin closes or SIGTERM. For end-to-end tests of
// `vouch sgx collateral fetch` only.
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <iostream>
#include <string>

#include "pcs/pccs_stand_in.h"
#include "vouch/base/file.h"

int main(int argc, char** argv) {
  std::string dir, tdx_dir, fmspc, ca = "processor", port_file;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--collateral") dir = argv[i + 1];
    if (flag == "--tdx-collateral") tdx_dir = argv[i + 1];
    if (flag == "--fmspc") fmspc = argv[i + 1];
    if (flag == "--ca") ca = argv[i + 1];
    if (flag == "--port-file") port_file = argv[i + 1];
  }
  auto collateral = vouch::sgx::ReadCollateralDirectory(dir);
  if (!collateral.ok()) {
    std::cerr << collateral.status() << "\n";
    return 3;
  }
  vouch::pcs::PccsStandInOptions options;
  if (!tdx_dir.empty()) {
    auto tdx = vouch::sgx::ReadCollateralDirectory(tdx_dir);
    if (!tdx.ok()) {
      std::cerr << tdx.status() << "\n";
      return 3;
    }
    options.tdx = std::move(*tdx);
  }
  auto server = vouch::pcs::StartPccsStandIn(*collateral, fmspc, ca, options);
  if (!server.ok()) {
    std::cerr << server.status() << "\n";
    return 3;
  }
  std::string port = std::to_string((*server)->port());
  if (!vouch::WriteFileAtomic(port_file, vouch::AsBytes(port)).ok()) return 3;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  int sig = 0;
  sigwait(&set, &sig);
  (*server)->Stop();
  return 0;
}
