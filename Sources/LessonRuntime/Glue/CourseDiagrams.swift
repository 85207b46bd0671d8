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
            d.edge("out\(i)", "shadow\(i)", label: "query only", dashed: true)
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

extension Diagram {
    /// The architecture of a fitted MLP: one node per layer with its size and activation, edges
    /// labelled with the number of parameters (weights + biases) between layers.
    public static func architecture(of model: FittedMLP, title: String = "Network architecture",
                                    inputName: String = "input features", outputName: String = "class probabilities") -> Diagram {
        let sizes = [model.inputCount] + model.layers.map { $0.weights.columns }
        var d = Diagram(title: "\(title): \(model.parameterCount.formatted()) parameters", direction: .leftToRight,
                        altText: "A fully connected network: \(sizes.map(String.init).joined(separator: " → ")) units, \(model.activation.rawValue) hidden layers and a softmax output; \(model.parameterCount) parameters in all.")
        d.node("layer0", "Input\n\(sizes[0]) \(inputName)", shape: .box, fill: "#D6E9F5")
        for (i, layer) in model.layers.enumerated() {
            let last = i == model.layers.count - 1
            let label = last ? "Output\n\(sizes[i + 1]) \(outputName)\nsoftmax" : "Hidden \(i + 1)\n\(sizes[i + 1]) units\n\(model.activation.rawValue)"
            d.node("layer\(i + 1)", label, shape: .box, fill: last ? "#F1DCEA" : "#FBE7C6")
            let parameters = layer.weights.values.count + layer.biases.count
            d.edge("layer\(i)", "layer\(i + 1)", label: "\(layer.weights.rows)×\(layer.weights.columns) + \(layer.biases.count)\n= \(parameters.formatted()) parameters")
        }
        return d
    }

    /// Algorithm 1 of the paper (model-based synthesis) as a flowchart.
    public static func algorithmOneFlowchart() -> Diagram {
        var d = Diagram(title: "Algorithm 1: synthesizing a record of class c by hill climbing on the target's confidence",
                        direction: .topToBottom,
                        altText: "Start from a random record with k = k_max. Query the target. If the confidence y_c for class c did not drop, and it exceeds conf_min with c the predicted class, keep the record with probability y_c; otherwise remember it as the best so far. If the confidence dropped, count a rejection, and after rej_max rejections in a row halve k (not below k_min). Then re-randomize k features of the best record and query again; after iter_max queries the attempt fails.")
        let decision = "#FFFFFF", step = "#FBE7C6", good = "#D3EFE4", bad = "#F8D7DA"
        d.node("start", "x ← random record\ny*_c ← 0, j ← 0, k ← k_max", fill: step)
        d.node("query", "y ← f_target(x)\n(one query)", fill: "#D6E9F5")
        d.node("better", "y_c ≥ y*_c ?", shape: .diamond, fill: decision)
        d.node("confident", "y_c > conf_min\nand c = argmax y ?", shape: .diamond, fill: decision)
        d.node("sample", "rand() < y_c ?", shape: .diamond, fill: decision)
        d.node("accept", "return x\n(a synthetic record of class c)", shape: .ellipse, fill: good)
        d.node("keep", "x* ← x, y*_c ← y_c, j ← 0", fill: step)
        d.node("reject", "j ← j + 1", fill: step)
        d.node("halve", "j > rej_max ?\nthen k ← max(k_min, ⌈k/2⌉), j ← 0", fill: step)
        d.node("propose", "x ← x* with k features\nre-randomized", fill: step)
        d.node("budget", "iterations < iter_max ?", shape: .diamond, fill: decision)
        d.node("fail", "failure: retry from\na new random record", shape: .ellipse, fill: bad)
        d.edge("start", "query")
        d.edge("query", "better")
        d.edge("better", "confident", label: "yes")
        d.edge("better", "reject", label: "no")
        d.edge("confident", "sample", label: "yes")
        d.edge("confident", "keep", label: "no")
        d.edge("sample", "accept", label: "yes")
        d.edge("sample", "keep", label: "no")
        d.edge("reject", "halve")
        d.edge("keep", "propose")
        d.edge("halve", "propose")
        d.edge("propose", "budget")
        d.edge("budget", "query", label: "yes", dashed: true)
        d.edge("budget", "fail", label: "no")
        return d
    }
}
