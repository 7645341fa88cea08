// autocannon ships no types; the bench uses its programmatic API loosely.
declare module "autocannon" {
  const autocannon: (options: Record<string, unknown>) => Promise<unknown>;
  export default autocannon;
}
