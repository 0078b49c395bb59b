"""From a generated image to finished assets for a site: exact sizes, web formats, responsive
variants, placeholders, an assets manifest and a `<picture>` snippet, derived locally (and
for free) from the original the gateway returned, which is kept as it was saved.

Modules: `options` (the flags, parsed and checked before anything is paid for; its docstring
says how they combine) and `values` (one value each), `geometry` (crop, scale and padding as
numbers), `naming` (derived files' names), `encode` (Pillow, imported only when deriving),
`derive` (one asset), `placeholder` and `blurhash`, `asset` (the data), `manifest`
(assets.json), `html` (the `<picture>` snippet), `engine` (many assets on every core) and
`output` (every write, one function).
"""
