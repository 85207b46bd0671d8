import Diagrams

extension Diagram {
    /// The shadow-training pipeline of Shokri et al.: the attacker's data feeds k shadow models, each
    /// with an "in" (training) set and an "out" set; their predictions, labelled in/out, train one
    /// attack model per class; the attack model is then run on the target's answers.
    public static func shadowTrainingPipeline(shadowCount: Int = 3) -> Diagram {
        var d = Diagram(
            title: "Shadow training: learning to recognise members from prediction vectors",
            direction: .leftToRight,
            altText: "The attacker's data is split into \(shadowCount) shadow training sets (in) and held-out sets (out). Each trains a shadow model that imitates the target; the shadows' prediction vectors on in and out records, labelled member or non-member, train one attack model per class. The attack models then label the black-box target's predictions as member or non-member.")
        let blue = "#D6E9F5", orange = "#FBE7C6", green = "#D3EFE4", purple = "#F1DCEA"
        d.node("data", "Attacker's data\n(same distribution,\ndisjoint from target's)", shape: .cylinder, fill: blue)
        let shown = min(shadowCount, 3)
        var shadowIDs: [String] = []
        for i in 1...shown {
            let name = shown < shadowCount && i == shown ? "k" : "\(i)"
            d.node("in\(i)", "D_in \(name)", shape: .folder, fill: blue)
            d.node("out\(i)", "D_out \(name)", shape: .folder, fill: blue)
            d.node("shadow\(i)", "Shadow model \(name)", fill: orange)
            d.edge("data", "in\(i)")
            d.edge("data", "out\(i)", dashed: true)
            d.edge("in\(i)", "shadow\(i)", label: "train")
            shadowIDs.append("shadow\(i)")
        }
        d.node("records", "Prediction vectors\nlabelled in / out\n(per class)", shape: .note, fill: green)
        for i in 1...shown {
            d.edge("shadow\(i)", "records", label: "predict in + out")
        }
        d.node("attack", "Attack models\n(one per class)", fill: purple)
        d.edge("records", "attack", label: "train")
        d.node("target", "Target model\n(black-box API)", fill: orange)
        d.node("query", "Record (x, y)", shape: .ellipse)
        d.node("verdict", "member?\nyes / no", shape: .diamond, fill: "#FFFFFF")
        d.edge("query", "target", label: "query")
        d.edge("target", "attack", label: "prediction vector")
        d.edge("attack", "verdict")
        d.groups = [
            .init(id: "shadows", label: "Shadow training (attacker knows membership)",
                  nodeIDs: (1...shown).flatMap { ["in\($0)", "out\($0)", "shadow\($0)"] }, fill: "#FAFAFA"),
            .init(id: "attack", label: "Attack", nodeIDs: ["query", "target", "verdict"], fill: "#FAFAFA"),
        ]
        return d
    }
}
