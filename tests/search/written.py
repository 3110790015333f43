"""A small glossary written the way authors write: LaTeX, code, tables, names that contain
other names, categories and tags of two words."""

from __future__ import annotations

ENTRIES = {
    "optimization/gradient-descent.md": """\
        ---
        title: Gradient descent
        category: Deep learning
        aliases: [GD]
        tags: [Core Idea]
        summary: Lowers a model's loss by stepping every weight against its gradient.
        ---
        The method repeats one update until the loss stops falling:
        $w \\leftarrow w - \\eta \\nabla L(w)$, with learning rate $\\eta$.
        """,
    "optimization/stochastic-gradient-descent.md": """\
        ---
        title: Stochastic gradient descent
        category: Deep learning
        tags: [optimizer]
        summary: Gradient descent on one random sample at a time.
        ---
        Stochastic gradient descent is gradient descent with a noisy gradient. Where plain
        gradient descent averages every example, stochastic gradient descent takes one, so
        gradient descent of this kind is cheap per step.
        """,
    "metrics/precision.md": """\
        ---
        title: Precision
        category: Model evaluation
        tags: [Core Idea, metric]
        summary: Of the cases predicted positive, the share that really are.
        ---
        Of everything a classifier flags, precision counts the share that is right:
        $\\text{precision} = \\frac{TP}{TP + FP}$.

        | predicted | actual | precision counts it |
        |---|---|---|
        | spam | spam | yes |

        ```python
        from sklearn.metrics import precision_score
        precision_score(y_true, y_pred)
        ```

        A spam filter that flags 38 emails, 30 of them spam, has a precision of
        $30/38 \\approx 0.79$, which differs from its recall.

        $$
        \\begin{pmatrix} TP & FP \\\\ FN & TN \\end{pmatrix}
        $$

        With privacy noise of scale $\\varepsilon$ the counts blur, and precision with them.
        """,
    "metrics/recall.md": """\
        ---
        title: Recall
        category: Model evaluation
        tags: [metric]
        summary: Of the cases that are positive, the share the model finds.
        ---
        Recall is the share of real positives found; it trades off against [[Precision]].
        A model that finds most of them earns a passing grade.
        """,
    "deep-learning/backpropagation.md": """\
        ---
        title: Backpropagation
        category: Deep learning
        summary: Computes the gradient of the loss for every weight with the chain rule.
        ---
        Backpropagation runs the chain rule backwards, layer by layer, so that
        [[Gradient descent]] knows which way to move each weight.
        """,
}
