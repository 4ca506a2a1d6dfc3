#include "mamori/policy/json_codec.hpp"

#include <cstdio>

namespace mamori::policy {
namespace {

namespace js = boost::json;

std::string hex(unsigned value, int digits) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%0*x", digits, value);
  return buf;
}

js::value encode(const std::string& s) { return js::string(s); }
js::value encode(bool b) { return b; }
js::value encode(TimePoint t) { return js::string(formatTimestamp(t)); }

js::value encode(const OsRelease& os);
js::value encode(const UsbInventory& usb);
js::value encode(const std::vector<AntiMalwareProduct>& products);
js::value encode(const PackageInventory& inventory);

template <class T>
js::value encode(const Observed<T>& o) {
  if (!o.known()) return js::object{{"unknown", o.reason()}};
  return encode(o.value());
}

js::value encode(const OsRelease& os) {
  return js::object{{"id", os.id},
                    {"version_id", os.version_id},
                    {"pretty_name", os.pretty_name},
                    {"version_codename", os.version_codename}};
}

js::value encode(const UsbDevice& d) {
  js::array interfaces, kinds;
  for (const auto& i : d.interfaces) {
    interfaces.push_back(js::object{{"number", i.number},
                                    {"class", hex(i.interface_class, 2)},
                                    {"subclass", hex(i.subclass, 2)},
                                    {"protocol", hex(i.protocol, 2)},
                                    {"kind", usbKindId(i.kind())},
                                    {"authorized", i.authorized}});
    const js::value kind = js::string(usbKindId(i.kind()));
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
  }
  return js::object{{"port", d.port},
                    {"vendor_id", hex(d.vendor_id, 4)},
                    {"product_id", hex(d.product_id, 4)},
                    {"serial", d.serial},
                    {"manufacturer", d.manufacturer},
                    {"product", d.product},
                    {"device_class", hex(d.device_class, 2)},
                    {"authorized", d.authorized},
                    {"kinds", std::move(kinds)},
                    {"interfaces", std::move(interfaces)}};
}

js::value encode(const UsbInventory& usb) {
  js::array controllers, devices;
  for (const auto& c : usb.controllers) {
    js::object o{{"name", c.name}, {"authorized_default", c.authorized_default}};
    if (c.interface_authorized_default) {
      o["interface_authorized_default"] = *c.interface_authorized_default;
    }
    controllers.push_back(std::move(o));
  }
  for (const auto& d : usb.devices) devices.push_back(encode(d));
  return js::object{{"controllers", std::move(controllers)}, {"devices", std::move(devices)}};
}

js::value encode(const AntiMalwareProduct& p) {
  js::array databases;
  for (const auto& db : p.databases) {
    databases.push_back(js::object{{"file", db.file},
                                   {"built", encode(db.built)},
                                   {"version", db.version},
                                   {"signatures", db.signatures},
                                   {"functionality_level", db.functionality_level}});
  }
  return js::object{{"id", p.id},
                    {"name", p.name},
                    {"engine_version", encode(p.engine_version)},
                    {"service_running", encode(p.service_running)},
                    {"real_time_protection", encode(p.real_time_protection)},
                    {"signatures_updated", encode(p.signatures_updated)},
                    {"signature_version", encode(p.signature_version)},
                    {"last_full_scan", encode(p.last_full_scan)},
                    {"databases", std::move(databases)}};
}

js::value encode(const std::vector<AntiMalwareProduct>& products) {
  js::array out;
  for (const auto& p : products) out.push_back(encode(p));
  return out;
}

js::value encode(const PackageInventory& inventory) {
  js::array installed;
  installed.reserve(inventory.packages.size());
  for (const auto& p : inventory.packages) {
    installed.push_back(
        js::object{{"name", p.name}, {"version", p.version}, {"architecture", p.architecture}});
  }
  return js::object{{"manager", inventory.manager},
                    {"count", inventory.packages.size()},
                    {"last_change", encode(inventory.last_change)},
                    {"installed", std::move(installed)}};
}

}  // namespace

js::value toJson(const PostureFacts& facts) {
  return js::object{
      {"collected_at", encode(facts.collected_at)},
      {"device",
       js::object{{"hostname", facts.device.hostname}, {"machine_id", facts.device.machine_id}}},
      {"os", encode(facts.os)},
      {"usb", encode(facts.usb)},
      {"antimalware", encode(facts.antimalware)},
      {"packages", encode(facts.packages)},
  };
}

js::value toJson(const Finding& finding, Lang lang) {
  const auto* requirement = findRequirement(finding.id);
  js::object o{
      {"id", finding.id},
      {"title", requirement ? requirement->title.in(lang) : std::string()},
      {"articles", requirement ? requirement->articles : std::string_view()},
      {"status", statusId(finding.status)},
      {"severity", severityId(finding.severity)},
      {"evidence", finding.evidence.in(lang)},
      {"remediation", js::object{{"ja", finding.remediation.ja}, {"en", finding.remediation.en}}}};
  if (finding.warning) o["warning"] = true;
  if (!finding.exception_id.empty()) o["exception"] = finding.exception_id;
  return o;
}

js::object toJson(const Verdict& verdict, Lang lang) {
  js::array findings;
  for (const auto& f : verdict.findings) findings.push_back(toJson(f, lang));
  return js::object{{"compliant", verdict.compliant},
                    {"admission", admissionId(verdict.admission)},
                    {"segment", segmentId(verdict.segment)},
                    {"policy_version", verdict.policy_version},
                    {"findings", std::move(findings)}};
}

}  // namespace mamori::policy
