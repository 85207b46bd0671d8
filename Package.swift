// swift-tools-version:6.0
// Membership Inference Lessons: a literate runner that turns Markdown lessons into an executed,
// annotated HTML walkthrough of Shokri et al., "Membership Inference Attacks Against Machine
// Learning Models" (IEEE S&P 2017).
//
// Arrows point down (every target's dependencies, leaves last):
//   lessons (executable, tangled lesson code) -> CourseCLI, LessonRuntime
//   CourseCLI -> LessonRuntime, SiteWriter, Preview, LessonCore, MachineLearning, CStdio, ArgumentParser
//   LessonRuntime -> LessonCore, MembershipInference, MachineLearning, Charts, Diagrams, PNGCodec, CStdio
//   SiteWriter -> LessonCore (pages, slide decks, link check);  Preview -> FlyingFox
//   MembershipInference -> MachineLearning -> CKernels, CZlib
//   Charts -> CCairo, PNGCodec;  Diagrams -> CGraphviz, PNGCodec;  PNGCodec -> CPNG
//   LessonCore -> CMark;  Tangle (build tool) -> LessonCore
import PackageDescription

/// Numeric and drawing code is ~10x slower at -Onone, so these targets are optimised even in debug.
let optimised: [SwiftSetting] = [.unsafeFlags(["-O"])]

let package = Package(
    name: "MembershipInferenceLessons",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lessons", targets: ["lessons"]),
        .library(name: "LessonKit", targets: ["CourseCLI", "LessonRuntime"]),
        .plugin(name: "TanglePlugin", targets: ["TanglePlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The preview's HTTP server: small, pure Swift, no SwiftNIO (see Sources/Preview).
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        // C libraries from Debian, wrapped once at the edge.
        .systemLibrary(name: "CMark", pkgConfig: "libcmark-gfm",
                       providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        .target(name: "CPNG", linkerSettings: [.linkedLibrary("png16")]),
        .target(name: "CStdio"),
        // Training kernels in C: -O3 even in debug builds, AVX2+FMA chosen at run time. Multiply-adds may
        // fuse except where a `#pragma clang fp contract(off)` says not (Adam's L2 term): plain `fast`
        // would ignore the pragma and change the bits of every trained model.
        .target(name: "CKernels", exclude: ["kernels_impl.h"], cSettings: [.unsafeFlags(["-O3", "-fno-math-errno", "-ffp-contract=fast-honor-pragmas", "-Wno-psabi"])]),
        .target(name: "CGraphviz", linkerSettings: [
            .linkedLibrary("gvc"), .linkedLibrary("cgraph"), .linkedLibrary("cdt"),
        ]),

        // Leaves.
        .target(name: "PNGCodec", dependencies: ["CPNG"]),
        .target(name: "MachineLearning", dependencies: ["CKernels", "CZlib"], swiftSettings: optimised),
        .target(name: "MembershipInference", dependencies: ["MachineLearning"], swiftSettings: optimised),
        .target(name: "Charts", dependencies: ["CCairo", "PNGCodec"], swiftSettings: optimised),
        .target(name: "Diagrams", dependencies: ["CGraphviz", "PNGCodec"]),
        .target(name: "LessonCore", dependencies: ["CMark"]),

        // Middle.
        .target(name: "SiteWriter", dependencies: ["LessonCore"]),
        .target(name: "LessonRuntime",
                dependencies: ["LessonCore", "MachineLearning", "MembershipInference", "Charts", "Diagrams", "PNGCodec", "CStdio"]),
        // `lessons preview`: serving a site folder with live reload, and watching the course's files.
        .target(name: "Preview", dependencies: [
            .product(name: "FlyingFox", package: "FlyingFox"), .product(name: "FlyingSocks", package: "FlyingFox"),
        ]),
        .target(name: "CourseCLI", dependencies: [
            "LessonCore", "LessonRuntime", "SiteWriter", "MachineLearning", "Charts", "CStdio", "Preview",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Build time: Markdown lesson -> Swift source.
        .executableTarget(name: "Tangle", dependencies: ["LessonCore"]),
        .plugin(name: "TanglePlugin", capability: .buildTool(), dependencies: ["Tangle"]),

        // The course itself: the CLI plus one generated function per lesson.
        // `Sources/lessons/Lessons` is a committed symlink to `../../Lessons`, so that SwiftPM
        // re-plans the plugin when a new lesson file appears.
        .executableTarget(name: "lessons", dependencies: ["CourseCLI", "LessonRuntime"],
                          exclude: ["Lessons"],
                          // One-line diagnostics quoting the lesson's own line, not a snippet of the generated file.
                          swiftSettings: [.swiftLanguageMode(.v5), .unsafeFlags(["-diagnostic-style", "llvm"])],
                          plugins: ["TanglePlugin"]),

        // Golden files with a record mode, shared by the test targets.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // The lesson parser and tangler under libFuzzer: `.ci/fuzz SECONDS`.
        .executableTarget(name: "lesson-fuzz", dependencies: ["LessonCore"]),

        // `swift run -c release benchmarks NAME`: speed targets live here, not in unit tests.
        .executableTarget(name: "benchmarks", dependencies: ["MachineLearning", "MembershipInference", "Charts"]),

        .testTarget(name: "LessonCoreTests", dependencies: ["LessonCore", "TestSupport"],
                    exclude: ["Golden", "Fixtures"]),
        .testTarget(name: "MachineLearningTests", dependencies: ["MachineLearning", "CKernels"]),
        .testTarget(name: "MembershipInferenceTests", dependencies: ["MembershipInference", "MachineLearning"]),
        .testTarget(name: "ChartsTests", dependencies: ["Charts", "Diagrams", "PNGCodec", "TestSupport"],
                    exclude: ["Golden"]),
        .testTarget(name: "LessonRuntimeTests", dependencies: ["LessonRuntime", "PNGCodec"]),
        .testTarget(name: "SiteWriterTests", dependencies: ["SiteWriter", "LessonCore"]),
        .testTarget(name: "CourseCLITests", dependencies: ["CourseCLI", "LessonCore", "LessonRuntime"]),
        .testTarget(name: "PreviewTests", dependencies: ["Preview"]),
        .testTarget(name: "EndToEndTests", dependencies: ["PNGCodec"], exclude: ["Fixtures"]),
    ]
)
