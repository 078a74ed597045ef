/**
 * Classification heads on top of a {@link io.scanflow.model.SequenceModel}'s pooled hidden states.
 *
 * <p>A head lives beside the backbone in the model folder, which stays loadable by
 * {@link io.scanflow.model.loader.ModelLoader} ({@code config.json} + {@code model.safetensors}):
 * <pre>
 * head.json          {"format": "scanflow-classification-head", "version": 1,
 *                     "labels": ["human", ...], "pooling": "mean" | "last",
 *                     "hidden_size": 64, "weights": "head.safetensors"}
 * head.safetensors   classifier.weight [labels, hidden], classifier.bias [labels] (F32, F16, BF16, F64)
 * </pre>
 * Glossary: {@code h} the pooled hidden state [hidden] (the mean of the final hidden states, after
 * the last norm, over the sequence's positions, or the last one); {@code W} classifier.weight;
 * {@code b} classifier.bias; logits {@code z = W h + b} [labels]; probabilities {@code softmax(z)}.
 * Same math as PyTorch's {@code nn.Linear} followed by {@code softmax}.
 */
package io.scanflow.model.head;
