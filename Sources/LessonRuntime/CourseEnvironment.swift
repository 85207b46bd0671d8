import Foundation
import MachineLearning

/// Everything the course reads from its surroundings, in one place: the `MIL_*` variables through
/// which `lessons build` tells each lesson process its settings, and the folders the course's files
/// live in. The runner writes these variables (`RunSettings.environment`) with the names below and
/// lessons read them here; nothing else looks them up.
public struct CourseEnvironment: Sendable {
    /// The variables, by what they carry.
    public enum Variable: String, CaseIterable, Sendable {
        /// smoke, quick or paper (`--profile`).
        case profile = "MIL_PROFILE"
        /// The seed every random choice derives from (`--seed`).
        case seed = "MIL_SEED"
        /// The user's folder of real datasets (`--data-dir`); empty for none.
        case dataDirectory = "MIL_DATA_DIR"
        /// "1": retrain every model (`--no-cache`).
        case retrain = "MIL_RETRAIN"
        /// The folder the build was started in (the course), as an absolute path.
        case courseDirectory = "MIL_COURSE_DIR"
        /// The model cache's folder.
        case modelCache = "MIL_MODEL_CACHE"
        /// A Location data file outside the data folder.
        case location = "MIL_LOCATION"
        /// "1" when progress bars may redraw in place (the build runs on a terminal).
        case terminal = "MIL_TTY"
        /// The runner's process id: a lesson process ends when it does.
        case parentProcess = "MIL_PARENT_PID"
        /// In a runner started again after rebuilding itself (it must not rebuild again): its own process
        /// id, which `execv` keeps, so a value left in a shell or passed to another process means nothing.
        case rebuilt = "MIL_REBUILT"
        /// In that runner: the fingerprint of the course's code that its parent took before running
        /// `swift build`, which the rebuilt binary is then recorded as built from (`Freshness.CodeStamp`).
        case rebuiltCode = "MIL_REBUILT_CODE"
        /// "baseline" forces the portable training kernels (read by the C kernels themselves).
        case kernels = "MIL_KERNELS"
        /// The cores one lesson may use (a whole number from 1): when several lessons run at once the
        /// runner gives each its share, so a lone model's training step takes a second thread only where
        /// a core is free for it. Read by the training code itself (`StepPartner`); unset: all of them.
        case cores = "MIL_CORES"
        /// The training code's fingerprint (`trainingCodeFolders`) as it was when the build started. The
        /// model cache's keys use it rather than the files as they are when each lesson starts, so code
        /// edited during a long build cannot file the running binary's models under the edited code's key.
        /// Read only in a process the build started (`MIL_PARENT_PID` set): a value left in a shell is not trusted.
        case trainingCodeFingerprint = "MIL_TRAINING_CODE_FINGERPRINT"
    }

    public let variables: [String: String]
    private let workingDirectory: String

    public init(variables: [String: String] = ProcessInfo.processInfo.environment,
                workingDirectory: String = FileManager.default.currentDirectoryPath) {
        self.variables = variables
        self.workingDirectory = workingDirectory
    }

    /// This process's environment.
    public static var current: CourseEnvironment { CourseEnvironment() }

    public subscript(_ variable: Variable) -> String? { variables[variable.rawValue] }

    /// The run profile; quick when none was given.
    public var profile: RunProfile { self[.profile].flatMap(RunProfile.init(rawValue:)) ?? .quick }
    /// The course's seed; 2017 when none was given.
    public var seed: UInt64 { self[.seed].flatMap(UInt64.init) ?? 2017 }
    /// The user's folder of real datasets, if any.
    public var dataDirectory: URL? { self[.dataDirectory].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) } }
    public var retrainsModels: Bool { self[.retrain] == "1" }
    /// The folder `lessons build` was started in (the course's folder).
    public var courseFolder: URL { URL(fileURLWithPath: self[.courseDirectory] ?? workingDirectory) }
    /// The model cache: `MIL_MODEL_CACHE`, or `.lessons-cache/` in the course's folder.
    public var modelCache: URL {
        self[.modelCache].map { URL(fileURLWithPath: $0) } ?? courseFolder.appendingPathComponent(".lessons-cache")
    }
    /// A Location data file named outside the data folder, if any.
    public var location: String? { self[.location].flatMap { $0.isEmpty ? nil : $0 } }
    public var drawsOnTerminal: Bool { self[.terminal] == "1" }
    public var parentProcess: Int32? { self[.parentProcess].flatMap(Int32.init) }
    public var isRebuiltRunner: Bool { self[.rebuilt] == String(getpid()) }

    /// The package this binary was built from (its `Package.swift`, `Sources/`, `Assets/`): where the
    /// course's own files are found when the working directory is not the course, and whose sources
    /// fingerprint the code for result reuse and the model cache. The one place that knows the build path.
    public static let packageFolder: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // LessonRuntime
        .deletingLastPathComponent()   // Sources
        .deletingLastPathComponent()

    /// The folders whose code decides what a trained model is, and the package's manifest, whose flags
    /// decide how that code compiles (`-ffp-contract` changes which products fuse, so every model's
    /// bits): the model cache's keys fingerprint them (`trainingCodeFingerprint`), so a change to the
    /// lessons or the site does not retrain anything, and a change of flags does.
    public static let trainingCodeFolders = ["Sources/MachineLearning", "Sources/CKernels", "Package.swift"]

    /// The training code's fingerprint for the model cache: the one `lessons build` took when it started
    /// (`MIL_TRAINING_CODE_FINGERPRINT`, in a lesson process the build started), or, in a process started
    /// by hand, the folders' as they are now.
    public func trainingCodeFingerprint(package: URL = CourseEnvironment.packageFolder) -> String {
        if parentProcess != nil, let handed = self[.trainingCodeFingerprint], !handed.isEmpty { return handed }
        return codeFingerprint(code: Self.trainingCodeFolders, package: package)
    }

    /// The files a build takes its keys from, read once (see `CodeSnapshot`): `Package.swift`, `Sources/`
    /// and `Assets/` of the package this binary was built from, of the course's folder, and of each of
    /// `others` (the course's package, when that is another).
    public func codeSnapshot(also others: [URL] = [], package: URL = CourseEnvironment.packageFolder) -> CodeSnapshot {
        CodeSnapshot(reading: ([package, courseFolder] + others).flatMap {
            [$0.appendingPathComponent("Package.swift"), $0.appendingPathComponent("Sources"), $0.appendingPathComponent("Assets")]
        })
    }

    /// What stands for this program's version and the course's files in cache keys (result reuse,
    /// the model cache).
    ///
    /// `code` (e.g. `Sources`, `Package.swift`) is what the binary was built from: those folders and files of its package, or,
    /// for an installed binary whose build folder is not on this machine, the executable itself (a
    /// missing folder must not fingerprint as empty: every version would then share one key). `data`
    /// (e.g. `Assets`) counts wherever `courseFile` may read it: the course's folder and the package's,
    /// so a binary run in a folder with data of its own never reuses results made from other data.
    ///
    /// `snapshot`: the files as a build read them once, so that its keys agree (`codeSnapshot`); nil
    /// reads them now.
    public func codeFingerprint(code: [String], data: [String] = [], package: URL = CourseEnvironment.packageFolder,
                                from snapshot: CodeSnapshot? = nil) -> String {
        func read(_ folders: [URL]) -> String? { snapshot.map { $0.fingerprint(of: folders) } ?? Fingerprint.ofFiles(in: folders) }
        var f = Fingerprint()
        let built = code.map { package.appendingPathComponent($0) }
        if built.allSatisfy({ FileManager.default.fileExists(atPath: $0.path) }), let sources = read(built) {
            f.add("built from " + sources)
        } else {
            f.add("installed " + Self.executableFingerprint)
        }
        var roots = [courseFolder.standardizedFileURL]
        if !roots.contains(package.standardizedFileURL) { roots.append(package.standardizedFileURL) }
        for folder in data {
            for root in roots where Self.isFolder(root.appendingPathComponent(folder)) {
                f.add(root.path + "/" + folder)
                f.add(read([root.appendingPathComponent(folder)]) ?? UUID().uuidString)
            }
        }
        return f.hex
    }

    /// The running executable's bytes (a fresh random key if they cannot be read: nothing is reused).
    /// (`/proc/self/exe` is opened as it is: it is the running file even if its path was replaced since.)
    static let executableFingerprint: String = {
        let candidates = ["/proc/self/exe", Bundle.main.executablePath].compactMap { $0 }
        guard let data = candidates.lazy.compactMap({ try? Data(contentsOf: URL(fileURLWithPath: $0), options: .mappedIfSafe) }).first else {
            return UUID().uuidString
        }
        var f = Fingerprint()
        f.add(data)
        return f.hex
    }()

    static func isFolder(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// A file of the course package, looked for in the course's folder first, then in `packageFolder`.
    public func courseFile(_ relative: String) -> URL? {
        for root in [courseFolder, Self.packageFolder] {
            let url = root.appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return nil
    }
}
