/**
 * The Transformer-PSM: a prefix-scannable model whose state is {@code c} vectors and whose
 * {@code Enc}, {@code Agg} and {@code Inf} are small transformers with softmax attention (Yau et al.,
 * "Sequential-Parallel Duality in Prefix Scannable Models", arXiv 2506.10918). It runs under the
 * generic evaluators of {@code io.scanflow.model.psm} (bit-identical in parallel and streaming) and
 * behind {@link io.scanflow.model.SequenceModel}, so an engine hosts one stream per key. The design
 * note is {@code docs/psm.md}; the PyTorch reference and trainer are under {@code scripts/training/}.
 *
 * <h2>Glossary</h2>
 * <dl>
 *   <dt>V</dt><dd>vocabulary: token ids and logits width ({@code vocab_size}).</dd>
 *   <dt>d</dt><dd>width of every row and state vector ({@code hidden_size}).</dd>
 *   <dt>H, hd</dt><dd>attention heads and head width, {@code hd = d / H}.</dd>
 *   <dt>f</dt><dd>MLP width ({@code intermediate_size}).</dd>
 *   <dt>c</dt><dd>chunk size: tokens per chunk and vectors per state ({@code chunk_size}).</dd>
 *   <dt>m</dt><dd>tokens in the chunk given to Inf, {@code 1 <= m <= c} (fewer than c: a partial chunk).</dd>
 *   <dt>S</dt><dd>floats per state, {@code c d}; a state is {@code float[S]}, row-major {@code [c, d]}.</dd>
 *   <dt>K</dt><dd>levels of the per-key stream state ({@code max_chunks_log2}): at most {@code 2^K - 1}
 *       chunks per stream.</dd>
 *   <dt>Enc, Agg, Inf, e</dt><dd>as in {@link io.scanflow.model.psm.PrefixScannableModel}:
 *       {@code Enc}: bidirectional blocks over the chunk's token rows; {@code Agg}: bidirectional
 *       blocks over {@code [left; right]} (2c rows), keeping the last c; {@code Inf}: causal blocks
 *       over {@code [prefix; chunk]}; {@code e}: a learned state.</dd>
 * </dl>
 *
 * <h2>Classes</h2>
 * <ul>
 *   <li>{@link io.scanflow.model.config.TransformerPsmConfig}: the config record (config.json).</li>
 *   <li>{@link io.scanflow.model.psm.transformer.TransformerPsmWeights}: every tensor, and their names
 *       in the safetensors file.</li>
 *   <li>{@link io.scanflow.model.psm.transformer.TransformerPsm}: Enc, Agg, Inf (the PSM).</li>
 *   <li>{@code TransformerBlocks}: the reference transformer pass (RMSNorm, attention, MLP as loops).</li>
 *   <li>{@link io.scanflow.model.psm.transformer.FlatScanState}: a stream state in a fixed-size float array.</li>
 *   <li>{@link io.scanflow.model.psm.transformer.TransformerPsmModel}: the
 *       {@link io.scanflow.model.SequenceModel} an engine hosts.</li>
 * </ul>
 */
package io.scanflow.model.psm.transformer;
