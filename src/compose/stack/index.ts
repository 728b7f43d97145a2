/** Swarm stacks: `convert` (Project → ServiceSpecs, pure), `plan` (desired vs observed, pure), `Stack` (the verbs). */
export { Stack, detectIpvs, type ResolveImage, type StackDeployOptions, type StackSummary, type StackServiceRow, type StackTaskRow } from './stack.js';
export { formatStackPlan, planStack, type StackAction, type StackObserved } from './plan.js';
export { convertStack, vipReliance, contentSuffix, specHash, STACK_NAMESPACE_LABEL, type ConvertedStack } from './convert.js';
