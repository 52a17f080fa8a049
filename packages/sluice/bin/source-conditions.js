// Module resolve hook for running the `sluice` command from a checkout of the repository: resolves
// the @sluice/* packages (and `sluice`) to their TypeScript sources, as `node --conditions=sluice-source`.
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('sluice-source') ? context.conditions : [...context.conditions, 'sluice-source'];
  return nextResolve(specifier, { ...context, conditions });
}
