import Foundation
import Testing
@testable import ObjectStore

/// AWS configuration resolution, as the AWS CLI / SDKs document it ("Configuration and credential file settings",
/// "Environment variables to configure the AWS CLI", "Service-specific endpoints").
@Suite struct ConfigTests {
    /// A temporary HOME with the given ~/.aws files.
    func home(credentials: String? = nil, config: String? = nil) throws -> String {
        let dir = NSTemporaryDirectory() + "floe-aws-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir + "/.aws", withIntermediateDirectories: true)
        if let c = credentials { try c.write(toFile: dir + "/.aws/credentials", atomically: true, encoding: .utf8) }
        if let c = config { try c.write(toFile: dir + "/.aws/config", atomically: true, encoding: .utf8) }
        return dir
    }

    @Test func environmentCredentialsAndRegion() throws {
        let c = try AWSConfigResolver.resolve(environment: [
            "HOME": try home(), "AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK", "AWS_SESSION_TOKEN": "TOK",
            "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-west-2",
        ])
        #expect(c.credentials == AWSCredentials(accessKeyId: "AK", secretAccessKey: "SK", sessionToken: "TOK"))
        #expect(c.region == "eu-west-1")  // AWS_REGION wins over AWS_DEFAULT_REGION
        #expect(c.endpoint == nil && c.addressing == .virtualHosted)
    }

    @Test func profileFromFiles() throws {
        let h = try home(
            credentials: "[default]\naws_access_key_id = D\naws_secret_access_key = DS\n\n[dev]\naws_access_key_id=DEV\naws_secret_access_key = DEVS # comment\naws_session_token = T\n",
            config: "[default]\nregion = us-east-1\n[profile dev]\nregion = ap-south-1\nendpoint_url = http://127.0.0.1:9000\ns3 =\n  addressing_style = virtual\n")
        let d = try AWSConfigResolver.resolve(environment: ["HOME": h])
        #expect(d.credentials.accessKeyId == "D" && d.region == "us-east-1" && d.endpoint == nil)
        let dev = try AWSConfigResolver.resolve(environment: ["HOME": h, "AWS_PROFILE": "dev"])
        #expect(dev.credentials == AWSCredentials(accessKeyId: "DEV", secretAccessKey: "DEVS", sessionToken: "T"))
        #expect(dev.region == "ap-south-1")
        #expect(dev.endpoint == "http://127.0.0.1:9000")
        #expect(dev.addressing == .virtualHosted)
    }

    @Test func credentialsInConfigFileAndExplicitPaths() throws {
        let dir = try home()
        try "[profile p]\naws_access_key_id = C\naws_secret_access_key = CS\nregion = eu-north-1\n"
            .write(toFile: dir + "/cfg", atomically: true, encoding: .utf8)
        let c = try AWSConfigResolver.resolve(environment: [
            "HOME": "/nonexistent", "AWS_CONFIG_FILE": dir + "/cfg", "AWS_SHARED_CREDENTIALS_FILE": dir + "/none",
            "AWS_PROFILE": "p",
        ])
        #expect(c.credentials.accessKeyId == "C" && c.region == "eu-north-1")
    }

    /// AWS_ENDPOINT_URL_S3 beats AWS_ENDPOINT_URL, which beats the profile; custom endpoints use path style.
    @Test func endpointPrecedence() throws {
        let h = try home(credentials: "[default]\naws_access_key_id=A\naws_secret_access_key=S\n",
                         config: "[default]\nregion=us-east-1\nendpoint_url = http://profile:1\nservices = local\n[services local]\ns3 =\n  endpoint_url = http://services:2\n")
        var env = ["HOME": h]
        #expect(try AWSConfigResolver.resolve(environment: env).endpoint == "http://services:2")
        env["AWS_ENDPOINT_URL"] = "http://generic:3/"
        #expect(try AWSConfigResolver.resolve(environment: env).endpoint == "http://generic:3")
        env["AWS_ENDPOINT_URL_S3"] = "https://s3specific:4"
        let c = try AWSConfigResolver.resolve(environment: env)
        #expect(c.endpoint == "https://s3specific:4" && c.addressing == .path)
        env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
        #expect(try AWSConfigResolver.resolve(environment: env).endpoint == nil)
    }

    /// A missing credential or region is one line that names what is missing and where Floe looked.
    @Test func missingCredentialsNamesPlaces() throws {
        let h = try home(config: "[default]\nregion=us-east-1\n")
        #expect {
            try AWSConfigResolver.resolve(environment: ["HOME": h])
        } throws: { e in
            guard let err = e as? ObjectStoreError, err.isConfiguration else { return false }
            let m = err.description
            return m.contains("no AWS credentials") && m.contains("AWS_ACCESS_KEY_ID") && m.contains(h + "/.aws/credentials")
                && m.contains(h + "/.aws/config") && !m.contains("\n")
        }
    }

    @Test func missingRegionNamesPlaces() throws {
        let h = try home(credentials: "[default]\naws_access_key_id=A\naws_secret_access_key=S\n")
        #expect {
            try AWSConfigResolver.resolve(environment: ["HOME": h])
        } throws: { e in
            let m = (e as? ObjectStoreError)?.description ?? ""
            return m.contains("no AWS region") && m.contains("AWS_REGION") && m.contains("AWS_DEFAULT_REGION")
                && m.contains(h + "/.aws/config") && (e as? ObjectStoreError)?.isConfiguration == true
        }
    }

    @Test func unknownProfileAndHalfCredentials() throws {
        let h = try home()
        #expect(throws: ObjectStoreError.self) { try AWSConfigResolver.resolve(environment: ["HOME": h, "AWS_PROFILE": "nope"]) }
        #expect {
            try AWSConfigResolver.resolve(environment: ["HOME": h, "AWS_ACCESS_KEY_ID": "A", "AWS_REGION": "us-east-1"])
        } throws: { ($0 as? ObjectStoreError)?.description.contains("AWS_SECRET_ACCESS_KEY is not set") == true }
        #expect(throws: ObjectStoreError.self) {
            try AWSConfigResolver.resolve(environment: ["HOME": h, "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S",
                                                         "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": "ftp://x"])
        }
    }
}

/// Locations on the command line: a path, `file://`, `s3://bucket/key`; any other scheme is an error, never a path.
@Suite struct LocationTests {
    @Test func parses() throws {
        #expect(try StoreLocation.parse("data/x.parquet") == .local(path: "data/x.parquet"))
        #expect(try StoreLocation.parse("/abs/x") == .local(path: "/abs/x"))
        #expect(try StoreLocation.parse("file:///abs/x") == .local(path: "/abs/x"))
        #expect(try StoreLocation.parse("s3://bucket/a/b.parquet") == .s3(bucket: "bucket", key: "a/b.parquet"))
        #expect(try StoreLocation.parse("S3://bucket") == .s3(bucket: "bucket", key: ""))
        #expect(try StoreLocation.parse("weird:name") == .local(path: "weird:name"))  // no "//": a file name
    }

    @Test(arguments: ["gs://bucket/key", "http://host/x", "hdfs://nn/path", "s3a://b/k", "s3:///key", "file://relative/x"])
    func rejects(_ text: String) {
        #expect {
            try StoreLocation.parse(text)
        } throws: { ($0 as? ObjectStoreError)?.isConfiguration == true }
    }
}
