// CustomTimeZone (https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html: "By default, the time zone
// used for time prefix and suffix is in UTC, but you can change it to a time zone that you prefer"; s3-prefixes.html:
// the timestamp namespace evaluates the oldest record's arrival in that zone): the prefix, the default
// YYYY/MM/dd/HH/ folders and the object name's time in an IANA zone, across DST changes and with a non-hour offset.

import Firehose
import Foundation
import JSON
import Testing
@testable import FirehoseServer

@Suite struct CustomTimeZoneTests {
    /// ms since the epoch of an ISO-8601 UTC time.
    func utc(_ s: String) -> Int64 {
        let f = ISO8601DateFormatter()
        if s.contains(".") { f.formatOptions.insert(.withFractionalSeconds) }
        return Int64((f.date(from: s)!.timeIntervalSince1970 * 1000).rounded())
    }

    func settings(_ extra: String) throws -> DestinationSettings {
        let text = #"{"RoleARN":"arn:aws:iam::123456789012:role/r","BucketARN":"arn:aws:s3:::b""# + extra + "}"
        guard case .object(let o) = try JSONParser.parse(Array(text.utf8)) else { fatalError() }
        return try DestinationSettings(o)
    }

    func defaultPrefix(_ zone: String, _ instant: String) throws -> String {
        let s = try settings(#","CustomTimeZone":"\#(zone)""#)
        var p = try PrefixTemplate(StreamPlan.prefixText(s), errorPrefix: false)
        p.timeZone = s.timeZone
        return p.render(arrival: utc(instant))
    }

    @Test func nonHourOffsetMovesTheDayAndHour() throws {
        // Asia/Kolkata is UTC+05:30 all year: 18:45Z is 00:15 of the next day there
        #expect(try defaultPrefix("Asia/Kolkata", "2026-03-08T18:45:00Z") == "2026/03/09/00/")
        #expect(try defaultPrefix("Asia/Kolkata", "2026-03-08T18:29:59Z") == "2026/03/08/23/")
        #expect(try defaultPrefix("UTC", "2026-03-08T18:45:00Z") == "2026/03/08/18/")
        let s = try settings(#","CustomTimeZone":"Asia/Kolkata","Prefix":"t/!{timestamp:yyyy-MM-dd HH:mm:ss.SSS}/""#)
        var p = try PrefixTemplate(StreamPlan.prefixText(s), errorPrefix: false)
        p.timeZone = s.timeZone
        #expect(p.render(arrival: utc("2026-12-31T18:30:00.250Z")) == "t/2027-01-01 00:00:00.250/")
    }

    @Test func daylightSavingChangesFollowTheTzDatabase() throws {
        // America/New_York, 2026: EST (-5) until 2026-03-08 07:00Z, then EDT (-4) until 2026-11-01 06:00Z
        #expect(try defaultPrefix("America/New_York", "2026-03-08T06:59:59Z") == "2026/03/08/01/")
        #expect(try defaultPrefix("America/New_York", "2026-03-08T07:00:00Z") == "2026/03/08/03/")  // 02:xx is skipped
        #expect(try defaultPrefix("America/New_York", "2026-07-01T12:00:00Z") == "2026/07/01/08/")
        // the hour 01:xx happens twice in November: once in EDT, once in EST
        #expect(try defaultPrefix("America/New_York", "2026-11-01T05:30:00Z") == "2026/11/01/01/")
        #expect(try defaultPrefix("America/New_York", "2026-11-01T06:30:00Z") == "2026/11/01/01/")
        #expect(try defaultPrefix("America/New_York", "2026-11-01T07:30:00Z") == "2026/11/01/02/")
        // southern hemisphere: Australia/Sydney is +11 (AEDT) in January and +10 (AEST) in July
        #expect(try defaultPrefix("Australia/Sydney", "2026-01-15T13:00:00Z") == "2026/01/16/00/")
        #expect(try defaultPrefix("Australia/Sydney", "2026-07-15T13:00:00Z") == "2026/07/15/23/")
    }

    @Test func objectNamesAndErrorPrefixesUseTheZone() throws {
        let s = try settings(#","CustomTimeZone":"Asia/Kolkata""#)
        let name = ObjectName.make(stream: "s", millis: utc("2026-03-08T18:45:07Z"), zone: s.timeZone)
        #expect(name.hasPrefix("s-1-2026-03-09-00-15-07-"))
        var e = try PrefixTemplate(StreamPlan.errorPrefixText(s), errorPrefix: true)
        e.timeZone = s.timeZone
        #expect(e.render(arrival: utc("2026-03-08T18:45:07Z"), errorType: "format-conversion-failed")
                == "format-conversion-failed/2026/03/09/00/")
    }

    @Test func unknownZonesAreInvalidArguments() throws {
        for bad in ["Mars/Olympus_Mons", "Asia/Atlantis", "IST", "+05:30"] {
            do {
                _ = try settings(#","CustomTimeZone":"\#(bad)""#)
                Issue.record("CustomTimeZone \(bad) was accepted")
            } catch {
                #expect((error as? AWSError)?.code == "InvalidArgumentException", "\(bad): \(error)")
            }
        }
        #expect(try settings(#","CustomTimeZone":"Asia/Tokyo""#).timeZone.identifier == "Asia/Tokyo")
    }
}
