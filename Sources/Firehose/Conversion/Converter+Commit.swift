// Flushes into a committed table (an Iceberg table) and the checkpoint protocol that keeps a run exactly once
// across crashes (see TableCommit.swift). A flush with a checkpoint:
//   1. stages every file (data and error records) in the run's staging folder, fsynced;
//   2. writes the checkpoint: the positions reached (`inputs`), the error files to publish (`pending`) and
//      `commit` = {id, seq, base (the positions before this flush), files (data files: staged, final)};
//   3. renames the data files under the table's location (invisible: no snapshot names them yet);
//   4. commits them as one snapshot whose summary holds the checkpoint id, seq and the positions reached;
//   5. publishes the error files by rename.
// A crash before 4 takes effect leaves the table without a snapshot of that seq: the rerun removes the flush's
// data files and resumes from `base`. A crash after it leaves the snapshot: the rerun publishes the error files
// again (those already in place are skipped) and resumes from `inputs`.

import FileSafety
import JSON

/// The checkpoint's side of the commit protocol.
struct CommitState {
    /// The checkpoint's id in snapshot summaries (random, kept in the checkpoint file).
    var checkpointID = ""
    /// Sequence number of the last flush logged.
    var sequence: Int64 = 0
    /// The `inputs` array (JSON) of the positions the last completed flush reached.
    var committed: [UInt8] = Array("[]".utf8)
}

extension Converter {
    /// The `inputs` array of the positions reached, as JSON.
    func inputsJSON() -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (i, p) in positionOrder.enumerated() {
            let (off, line, done) = positions[p]!
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: "{\"path\":".utf8)
            ErrorRecord.appendJSONString(p, &out)
            out.append(contentsOf: ",\"offset\":\(off),\"line\":\(line),\"done\":\(done)}".utf8)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// Replaces the positions by those of an `inputs` array.
    func setPositions(_ v: JSONValue?) {
        positions = [:]
        positionOrder = []
        guard case .array(let items)? = v else { return }
        for it in items {
            guard case .string(let p)? = it["path"], case .number(let off)? = it["offset"],
                  case .number(let line)? = it["line"] else { continue }
            positions[p] = (off.int64 ?? 0, Int(line.int64 ?? 1), it["done"]?.boolValue ?? false)
            positionOrder.append(p)
        }
    }

    static func pairs(_ v: JSONValue?) -> [(String, String)] {
        guard case .array(let items)? = v else { return [] }
        return items.compactMap { p in
            guard case .array(let pair) = p, pair.count == 2, case .string(let a) = pair[0], case .string(let b) = pair[1] else {
                return nil
            }
            return (a, b)
        }
    }

    /// Appends `[[a,b],…]` as JSON (the checkpoint's pending publishes and staged pairs).
    func appendPairs(_ entries: [(String, String)], _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (i, (a, b)) in entries.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            ErrorRecord.appendJSONString(a, &out)
            out.append(UInt8(ascii: ","))
            ErrorRecord.appendJSONString(b, &out)
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Reads the checkpoint of a run into a committed table and settles its last flush against the table (see
    /// the top of this file); without a checkpoint file, a run whose id the table knows is not possible (the id
    /// lives in the file), so a new id is drawn.
    func loadCommitCheckpoint() throws {
        guard let committer = config.committer, let cp = config.checkpoint else { return }
        commitState.checkpointID = PrefixTemplate.randomString(16)
        guard let bytes = try readCheckpointBytes(cp) else { return }
        guard let v = try? JSONParser.parse(bytes), case .object(let o) = v else {
            throw DeliveryError("checkpoint \(cp): not a checkpoint file")
        }
        let target = delivery.target
        guard case .object(let c)? = o["commit"], case .string(let id)? = c["id"], case .number(let seqN)? = c["seq"],
              let seq = seqN.int64 else {
            // a checkpoint of a folder table's run: its positions, and its last flush rolled forward
            setPositions(o["inputs"])
            rolledForward = Self.pairs(o["pending"])
            try target.publish(rolledForward, rollForward: true)
            commitState.committed = inputsJSON()
            return
        }
        commitState.checkpointID = id
        commitState.sequence = seq
        let mark: CommitMark?
        do {
            mark = try committer.lastMark(checkpointID: id)
        } catch {
            throw DeliveryError("checkpoint \(cp): cannot read the table's snapshots: \(error)")
        }
        let files = Self.pairs(c["files"])
        if let m = mark, m.sequence > seq {
            // the table is ahead of the checkpoint file (a stale copy): the committed snapshot wins
            setPositions(try? JSONParser.parse(Array(m.positions.utf8)))
            commitState.sequence = m.sequence
        } else if !files.isEmpty && (mark?.sequence ?? -1) < seq {
            // the logged commit did not happen: its data files are garbage, its input is converted again
            (target as? CommitDeliveryTarget)?.removeUncommitted(files.map(\.1))
            setPositions(c["base"])
        } else {
            setPositions(o["inputs"])
            rolledForward = Self.pairs(o["pending"])
            try target.publish(files, rollForward: true)
            try target.publish(rolledForward, rollForward: true)
        }
        commitState.committed = inputsJSON()
    }

    /// Commits the staged data files and publishes the staged error files (with a checkpoint: logged first).
    func commitPending() throws {
        guard let committer = config.committer, let target = delivery.target as? CommitDeliveryTarget else { return }
        let entries = delivery.takePending()
        let data = entries.filter { target.isData($0.0) }
        let errs = entries.filter { !target.isData($0.0) }
        let inputs = inputsJSON()
        // nothing to publish: only a checkpoint whose positions moved (say, an input read to its end) is written
        if data.isEmpty && errs.isEmpty && (config.checkpoint == nil || inputs == commitState.committed) { return }
        var mark: CommitMark?
        if let cp = config.checkpoint {
            commitState.sequence += 1
            var out: [UInt8] = Array("{\"version\":1,\"inputs\":".utf8)
            out += inputs
            out.append(contentsOf: ",\"pending\":".utf8)
            appendPairs(errs, &out)
            out.append(contentsOf: ",\"commit\":{\"id\":".utf8)
            ErrorRecord.appendJSONString(commitState.checkpointID, &out)
            out.append(contentsOf: ",\"seq\":\(commitState.sequence),\"base\":".utf8)
            out += commitState.committed
            out.append(contentsOf: ",\"files\":".utf8)
            appendPairs(data, &out)
            out.append(contentsOf: "}}\n".utf8)
            try writeCheckpointBytes(cp, out)
            mark = CommitMark(checkpointID: commitState.checkpointID, sequence: commitState.sequence,
                              positions: String(decoding: inputs, as: UTF8.self))
        }
        if !data.isEmpty {
            try target.publish(data, rollForward: false)
            var files = target.takeFiles(data)
            for i in files.indices { files[i].partitionKey = delivery.stagedKeys.removeValue(forKey: data[i].0) }
            do {
                try committer.commit(files, mark: mark)
            } catch let e as CommitRejected {
                // certainly not committed: without a checkpoint nothing will ever name the files
                if config.checkpoint == nil { target.removeUncommitted(files.map(\.path)) }
                throw DeliveryError("\(config.delivery.table): commit failed: \(e)")
            } catch {
                // outcome unknown: every file stays (a rerun with the checkpoint settles it)
                throw DeliveryError("\(config.delivery.table): commit failed (outcome unknown): \(error)")
            }
        }
        try target.publish(errs, rollForward: false)
        commitState.committed = inputs
    }
}
