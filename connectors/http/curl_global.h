// ensureCurlInitialised: libcurl's process-wide initialisation, done once.
//
// curl_global_init is not thread-safe and must run before the first easy
// handle; every libcurl client of the program (the drop folders' FTPS, the
// lba and France Travail clients) calls this first instead of its own.
//
// Thread safety: safe to call from any thread, any number of times
// (std::call_once).
#pragma once

namespace passerelle::connectors {

// curl_global_init(CURL_GLOBAL_DEFAULT) exactly once per process.
void ensureCurlInitialised();

}  // namespace passerelle::connectors
