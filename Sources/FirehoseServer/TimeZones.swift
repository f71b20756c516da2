// Firehose's CustomTimeZone: an IANA zone name resolved through Foundation's TimeZone, whose tz database is the one
// compiled into Foundation's ICU (no system tzdata needed: checked with /usr/share/zoneinfo hidden), so `!{timestamp:…}`, the default YYYY/MM/dd/HH/ folders and the time in object names follow the
// zone's offset at each arrival, daylight-saving changes included
// (https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html).

import Firehose
import Foundation

enum StreamTimeZone {
    /// The zone named `id`, or nil when the tz database does not know it. `UTC` (Firehose's default) needs no
    /// database.
    static func resolve(_ id: String) -> PrefixTimeZone? {
        if id == "UTC" || id.isEmpty { return .utc }  // the model allows an empty name: the default
        // names only (as Firehose's list): no abbreviations ("IST" is three zones) and no fixed offsets
        guard id.contains("/") || id == "GMT", let tz = TimeZone(identifier: id) else { return nil }
        return PrefixTimeZone(identifier: id) { millis in
            tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(millis) / 1000))
        }
    }
}
