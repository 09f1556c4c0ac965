/**
 * What one instance may write to Redis, so that one misbehaving instance (a leak of tasks, huge
 * attributes) cannot fill a Redis the fleet shares with others. Its task list holds at most
 * MAX_LIST_ROWS tasks (the oldest first) and MAX_LIST_BYTES of JSON; a task whose JSON is longer
 * than MAX_ROW_BYTES is left out of it. The instance's own API still lists every task.
 * Rows and row size are checked again inside Redis by the publishing script.
 */
export const MAX_LIST_ROWS = 20_000;
export const MAX_ROW_BYTES = 16 << 10;
export const MAX_LIST_BYTES = 32 << 20;
