#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "mamori/policy/facts.hpp"

namespace mamori::platform {

/// Reads `mdatp health --output json` (Microsoft Defender for Endpoint on Linux) into a product.
/// Settings may come wrapped (`{"value": true, "isManaged": false}`) or plain; times are epoch
/// milliseconds in strings. `service_running` is left to the caller (process table); passive
/// mode counts as real-time protection off, since it scans without blocking. The error says
/// what is wrong with the document.
std::expected<policy::AntiMalwareProduct, std::string> parseMdatpHealth(std::string_view json);

}  // namespace mamori::platform
