import Foundation

/// The kernels are chosen once per process (`MIL_KERNELS` read at start-up), so a test that must check
/// another kernel set runs its test class again in a child of this test executable that asks for it.
enum KernelSetChild {
    /// Runs the test class `testClass` (e.g. "MachineLearningTests.GemmTests") with `MIL_KERNELS=kernels`;
    /// returns its exit status and everything it printed.
    static func run(_ testClass: String, kernels: String) throws -> (status: Int32, output: String) {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        child.arguments = [testClass]
        child.environment = ProcessInfo.processInfo.environment.merging(["MIL_KERNELS": kernels]) { $1 }
        let output = Pipe()
        child.standardOutput = output
        child.standardError = output
        try child.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        return (child.terminationStatus, text)
    }
}
