// The hook endpoint's path, apart from its route so the hook script's bundle does not load express.
export const HOOK_PATH = '/hooks/claude-code';
/** The query value (`?output=context`) that asks for {context, memory_ids, reason}. */
export const SCRIPT_OUTPUT = 'context';
