#pragma once

// Anti-malware on Windows, decoded from the two WMI classes that describe it:
//   root\SecurityCenter2 AntiVirusProduct  every registered product, Microsoft's and third
//                                          parties', with one packed productState number;
//   root\Microsoft\Windows\Defender MSFT_MpComputerStatus
//                                          Defender's own status, with dates and versions.

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/platform/wmi_object.hpp"
#include "mamori/policy/facts.hpp"

namespace mamori::platform {

/// The scanner bits of productState (mask 0xF000).
enum class WscScanner { kOff, kOn, kSnoozed, kExpired, kUnrecognised };

/// productState, decoded. Microsoft documents no layout; this is the one Windows Security Center
/// has used since Vista, as vendors and management tools read it: byte 2 = provider flags,
/// 0xF000 = scanner state, 0x0F00 = owner (0x100 = Microsoft), 0x00F0 = signatures
/// (0x10 = out of date).
struct WscProductState {
  std::uint32_t raw = 0;
  WscScanner scanner = WscScanner::kUnrecognised;
  bool signatures_up_to_date = false;
  bool microsoft = false;  ///< Defender itself rather than a third-party product
};

WscProductState decodeProductState(std::uint32_t product_state);

/// One AntiVirusProduct instance (displayName, productState) as a product fact. WSC reports no
/// engine version and no dates, so those stay unknown and the vendor's own "up to date" bit
/// becomes `signatures_reported_current`.
policy::AntiMalwareProduct securityCenterProduct(const WmiObject& instance);

/// Microsoft Defender from its MSFT_MpComputerStatus instance, read at `now` (which dates
/// AntivirusSignatureAge when AntivirusSignatureLastUpdated is missing).
policy::AntiMalwareProduct defenderProduct(const WmiObject& status, policy::TimePoint now);

/// A WQL query's rows, or why the query failed.
using WmiRows = std::expected<std::vector<WmiObject>, std::string>;

/// The PC's products from both classes: Defender from its own status (richer than its WSC
/// entry, which is then left out), every third-party product from WSC. Unknown only when neither
/// class could be read; Windows Server has no Security Center, a PC whose Defender is switched
/// off for another product may have no Defender status.
policy::Observed<std::vector<policy::AntiMalwareProduct>> windowsAntiMalware(
    const WmiRows& security_center, const WmiRows& defender_status, policy::TimePoint now);

/// A CIM DATETIME (`20261120083000.000000+540`: local time, then the UTC offset in minutes).
std::optional<policy::TimePoint> parseCimDateTime(std::string_view text);

}  // namespace mamori::platform
