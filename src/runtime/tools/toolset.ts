import type { Tool } from './tool.js';
import { checkTools } from './tool.js';

/**
 * A named group of tools an agent offers together and can add or remove as a group
 * (`agent.addToolset()`, `agent.removeToolset(id)`), e.g. the tools of one back-office system.
 */
export class Toolset<UserData = unknown> {
  readonly id: string;
  readonly tools: Readonly<Record<string, Tool<UserData>>>;

  constructor(options: { id: string; tools: Record<string, Tool<UserData>> }) {
    if (!options.id) throw new Error('a Toolset needs an id');
    this.id = options.id;
    checkTools(`toolset ${options.id}`, options.tools);
    this.tools = { ...options.tools };
  }
}
