// Owns loading sorted-btree. It is CommonJS with `exports.default`, which Node's ESM loader and
// Vite's interop import differently (module object vs. class); requiring it is the same everywhere.
import { createRequire } from 'node:module';
import type BTreeType from 'sorted-btree';

type BTreeModule = { default: typeof BTreeType.default };

export const BTree = (createRequire(import.meta.url)('sorted-btree') as BTreeModule).default;
