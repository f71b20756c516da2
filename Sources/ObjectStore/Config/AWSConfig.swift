#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Credentials that sign requests (`AWS_SESSION_TOKEN` / `aws_session_token` for temporary ones).
public struct AWSCredentials: Sendable, Equatable {
    /// The access key id (`AWS_ACCESS_KEY_ID`, `aws_access_key_id`).
    public var accessKeyId: String
    /// The secret access key (`AWS_SECRET_ACCESS_KEY`, `aws_secret_access_key`).
    public var secretAccessKey: String
    /// The session token of temporary credentials; nil for long-term keys.
    public var sessionToken: String?
    /// Credentials from their parts.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// Everything the S3 backend needs, resolved once from the environment and the AWS files, then passed down.
public struct S3Configuration: Sendable, Equatable {
    /// How a bucket appears in request URLs.
    public enum Addressing: String, Sendable, Equatable {
        /// `https://endpoint/bucket/key` (custom endpoints, buckets with dots).
        case path
        /// `https://bucket.s3.region.amazonaws.com/key` (AWS).
        case virtualHosted
    }
    /// The identity that signs requests.
    public var credentials: AWSCredentials
    /// The signing region (`AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`).
    public var region: String
    /// `scheme://host[:port]` of a custom endpoint; nil for AWS (`https://s3.<region>.amazonaws.com`).
    public var endpoint: String?
    /// Path-style or virtual-hosted bucket addressing.
    public var addressing: Addressing
    /// Retries and timeouts of every request.
    public var retry: RetryPolicy
    /// Seconds to wait for a connection to the endpoint.
    public var connectTimeout: Double
    /// Where each setting came from, for messages (`region: AWS_REGION`, `credentials: profile 'dev' in ...`).
    public var sources: [String: String]

    /// A configuration; `addressing` nil: path-style for a custom endpoint, virtual-hosted for AWS.
    public init(credentials: AWSCredentials, region: String, endpoint: String? = nil, addressing: Addressing? = nil,
                retry: RetryPolicy = RetryPolicy(), connectTimeout: Double = 10, sources: [String: String] = [:]) {
        self.credentials = credentials
        self.region = region
        self.endpoint = endpoint
        self.addressing = addressing ?? (endpoint == nil ? .virtualHosted : .path)
        self.retry = retry
        self.connectTimeout = connectTimeout
        self.sources = sources
    }
}

/// Resolves S3 settings the way the AWS CLI and SDKs do, so there is nothing Floe-specific to learn:
/// - credentials: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`), else the profile
///   (`AWS_PROFILE`, default `default`) in the credentials file (`AWS_SHARED_CREDENTIALS_FILE`, default
///   `~/.aws/credentials`), else the same profile in the config file (`AWS_CONFIG_FILE`, default `~/.aws/config`);
/// - region: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`;
/// - endpoint: `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, the profile's `services` section `s3 = endpoint_url`, the
///   profile's `s3 = endpoint_url`, the profile's `endpoint_url`; none of them when
///   `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true; else AWS itself;
/// - addressing: the profile's `s3 = addressing_style` (path / virtual / auto); auto is path-style for a custom
///   endpoint and virtual-hosted for AWS.
/// A missing credential or region is one `ObjectStoreError.configuration` naming what is missing and every place
/// that was looked at.
public enum AWSConfigResolver {
    /// This process's environment (the one place Floe reads `AWS_*`).
    public static func processEnvironment() -> [String: String] {
        var env: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { env[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return env
    }

    /// The configuration the environment and the AWS files give (see above); throws `ObjectStoreError.configuration` naming a missing credential or region and where Floe looked.
    public static func resolve(environment env: [String: String] = processEnvironment()) throws -> S3Configuration {
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "~"
        let profile = nonEmpty(env["AWS_PROFILE"]) ?? nonEmpty(env["AWS_DEFAULT_PROFILE"]) ?? "default"
        let profileSource = env["AWS_PROFILE"] != nil ? " (AWS_PROFILE)" : ""
        let credPath = nonEmpty(env["AWS_SHARED_CREDENTIALS_FILE"]) ?? home + "/.aws/credentials"
        let confPath = nonEmpty(env["AWS_CONFIG_FILE"]) ?? home + "/.aws/config"
        let credFile = try readINI(credPath)
        let confFile = try readINI(confPath)
        let credSection = credFile?.sections[profile]
        let confSection = confFile?.sections[profile == "default" ? "default" : "profile " + profile]
            ?? confFile?.sections["profile " + profile]
        var sources: [String: String] = [:]

        if env["AWS_PROFILE"] != nil, credSection == nil, confSection == nil,
           nonEmpty(env["AWS_ACCESS_KEY_ID"]) == nil {
            throw ObjectStoreError.configuration(
                "AWS profile '\(profile)' (AWS_PROFILE) is in neither \(credPath) nor \(confPath)")
        }

        // Credentials.
        let credentials: AWSCredentials
        let envKey = nonEmpty(env["AWS_ACCESS_KEY_ID"]), envSecret = nonEmpty(env["AWS_SECRET_ACCESS_KEY"])
        if envKey != nil || envSecret != nil {
            guard let k = envKey, let s = envSecret else {
                throw ObjectStoreError.configuration(
                    "AWS credentials incomplete: \(envKey == nil ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") is not set but \(envKey == nil ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") is")
            }
            credentials = AWSCredentials(accessKeyId: k, secretAccessKey: s, sessionToken: nonEmpty(env["AWS_SESSION_TOKEN"]))
            sources["credentials"] = "AWS_ACCESS_KEY_ID"
        } else if let c = try profileCredentials(credSection, file: credPath, profile: profile) {
            credentials = c
            sources["credentials"] = "profile '\(profile)' in \(credPath)"
        } else if let c = try profileCredentials(confSection, file: confPath, profile: profile) {
            credentials = c
            sources["credentials"] = "profile '\(profile)' in \(confPath)"
        } else {
            throw ObjectStoreError.configuration(
                "no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and profile '\(profile)'\(profileSource) has no aws_access_key_id in \(credPath)\(credFile == nil ? " (missing)" : "") or \(confPath)\(confFile == nil ? " (missing)" : "")")
        }

        // Region.
        let region: String
        if let r = nonEmpty(env["AWS_REGION"]) {
            region = r; sources["region"] = "AWS_REGION"
        } else if let r = nonEmpty(env["AWS_DEFAULT_REGION"]) {
            region = r; sources["region"] = "AWS_DEFAULT_REGION"
        } else if let r = nonEmpty(confSection?.values["region"]) {
            region = r; sources["region"] = "profile '\(profile)' in \(confPath)"
        } else {
            throw ObjectStoreError.configuration(
                "no AWS region: AWS_REGION and AWS_DEFAULT_REGION are not set, and profile '\(profile)'\(profileSource) has no region in \(confPath)\(confFile == nil ? " (missing)" : "")")
        }
        guard region.utf8.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }) else {
            throw ObjectStoreError.configuration("AWS region '\(region)' (\(sources["region"]!)) is not a region name")
        }

        // Endpoint.
        var endpoint: String? = nil
        let ignore = isTrue(env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"])
            || isTrue(confSection?.values["ignore_configured_endpoint_urls"])
        if !ignore {
            let servicesSection = nonEmpty(confSection?.values["services"]).flatMap { confFile?.sections["services " + $0] }
            let candidates: [(String?, String)] = [
                (env["AWS_ENDPOINT_URL_S3"], "AWS_ENDPOINT_URL_S3"),
                (env["AWS_ENDPOINT_URL"], "AWS_ENDPOINT_URL"),
                (servicesSection?.nested["s3"]?["endpoint_url"], "services section s3 endpoint_url in \(confPath)"),
                (confSection?.nested["s3"]?["endpoint_url"], "profile '\(profile)' s3 endpoint_url in \(confPath)"),
                (confSection?.values["endpoint_url"], "profile '\(profile)' endpoint_url in \(confPath)"),
            ]
            for (value, source) in candidates {
                if let v = nonEmpty(value) {
                    endpoint = try validateEndpoint(v, source: source)
                    sources["endpoint"] = source
                    break
                }
            }
        }

        var addressing: S3Configuration.Addressing? = nil
        switch confSection?.nested["s3"]?["addressing_style"]?.lowercased() {
        case "path": addressing = .path
        case "virtual": addressing = .virtualHosted
        case nil, "auto": addressing = nil
        case let other?:
            throw ObjectStoreError.configuration(
                "addressing_style '\(other)' in profile '\(profile)' of \(confPath) is not path, virtual or auto")
        }
        // Floe's one knob of its own: the per-request deadline (seconds), for slow links and for tests.
        var retry = RetryPolicy()
        if let t = nonEmpty(env["FLOE_S3_TIMEOUT"]) {
            guard let v = Double(t), v > 0, v <= 3600 else {
                throw ObjectStoreError.configuration("FLOE_S3_TIMEOUT '\(t)' is not a number of seconds in (0, 3600]")
            }
            retry.requestTimeout = v
            retry.totalTimeout = max(retry.totalTimeout, v * 4)
        }
        return S3Configuration(credentials: credentials, region: region, endpoint: endpoint, addressing: addressing,
                               retry: retry, sources: sources)
    }

    static func profileCredentials(_ section: INISection?, file: String, profile: String) throws -> AWSCredentials? {
        guard let s = section else { return nil }
        let k = nonEmpty(s.values["aws_access_key_id"]), secret = nonEmpty(s.values["aws_secret_access_key"])
        if k == nil && secret == nil { return nil }
        guard let key = k, let sec = secret else {
            throw ObjectStoreError.configuration(
                "profile '\(profile)' in \(file) has \(k == nil ? "aws_secret_access_key but no aws_access_key_id" : "aws_access_key_id but no aws_secret_access_key")")
        }
        return AWSCredentials(accessKeyId: key, secretAccessKey: sec, sessionToken: nonEmpty(s.values["aws_session_token"]))
    }

    /// `http(s)://host[:port][/]` with nothing after the authority (a path on an endpoint is not supported by S3).
    static func validateEndpoint(_ text: String, source: String) throws -> String {
        var v = text
        while v.hasSuffix("/") { v.removeLast() }
        let lower = v.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw ObjectStoreError.configuration("endpoint '\(text)' (\(source)) is not an http:// or https:// URL")
        }
        let authority = v.drop(while: { $0 != "/" }).dropFirst(2)
        guard !authority.isEmpty, !authority.contains("/"), !authority.contains("?"), !authority.contains("@") else {
            throw ObjectStoreError.configuration("endpoint '\(text)' (\(source)) must be scheme://host[:port]")
        }
        return v
    }

    static func nonEmpty(_ s: String?) -> String? {
        guard let v = s?.trimmingSpaces, !v.isEmpty else { return nil }
        return v
    }

    static func isTrue(_ s: String?) -> Bool { s?.lowercased() == "true" }

    // MARK: the AWS INI dialect

    struct INISection {
        var values: [String: String] = [:]
        /// `s3 =` followed by indented `key = value` lines.
        var nested: [String: [String: String]] = [:]
    }

    struct INIFile {
        var sections: [String: INISection] = [:]
    }

    /// Reads an AWS config or credentials file; nil when it does not exist.
    static func readINI(_ path: String) throws -> INIFile? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw ObjectStoreError.configuration("\(path): cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw ObjectStoreError.configuration("\(path): not a regular file")
        }
        let limit = 1 << 20  // AWS files are small; do not read a device or a giant file whole.
        guard st.st_size <= limit else { throw ObjectStoreError.configuration("\(path): larger than 1 MiB") }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var got = 0
        while got < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, $0.count - got) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        return parseINI(String(decoding: bytes[0..<got], as: UTF8.self))
    }

    static func parseINI(_ text: String) -> INIFile {
        var file = INIFile()
        var current: String? = nil
        var nestedKey: String? = nil
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let indented = rawLine.first == " " || rawLine.first == "\t"
            let line = String(rawLine).trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]") else { current = nil; continue }
                let name = line[line.index(after: line.startIndex)..<close].split(whereSeparator: { $0 == " " || $0 == "\t" })
                    .joined(separator: " ")
                current = name
                nestedKey = nil
                if file.sections[name] == nil { file.sections[name] = INISection() }
                continue
            }
            guard let sec = current, let eq = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<eq]).trimmingSpaces.lowercased()
            var value = String(line[line.index(after: eq)...]).trimmingSpaces
            if let hash = value.range(of: " #") ?? value.range(of: " ;") { value = String(value[..<hash.lowerBound]).trimmingSpaces }
            if indented, let n = nestedKey {
                file.sections[sec]!.nested[n, default: [:]][key] = value
            } else if value.isEmpty {
                nestedKey = key
                file.sections[sec]!.nested[key, default: [:]] = [:]
            } else {
                nestedKey = nil
                file.sections[sec]!.values[key] = value
            }
        }
        return file
    }
}

extension String {
    var trimmingSpaces: String {
        let u = Substring(self)
        let t = u.drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" })
        var end = t.endIndex
        while end > t.startIndex, [" ", "\t", "\r"].contains(t[t.index(before: end)]) { end = t.index(before: end) }
        return String(t[t.startIndex..<end])
    }
}
