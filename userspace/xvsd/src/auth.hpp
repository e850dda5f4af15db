// xvsd: signatures of heartbeat packets (authkeys methods).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ha_cf.hpp"

namespace xvsd {

// CRC-32 (IEEE 802.3, as zlib): integrity only, no secret.
std::uint32_t crc32(std::string_view data);
// Lower-case hex digest of `data` under `key`: crc -> 8 hex digits of the
// CRC-32; md5, sha1, sha256 -> HMAC with the key's secret.
std::string sign(const AuthKey &key, std::string_view data);
// Constant-time comparison of a received digest with the expected one.
bool verify(const AuthKey &key, std::string_view data, std::string_view digest);

} // namespace xvsd
