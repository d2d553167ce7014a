/* global setTimeout, performance, console */
// @ts-check

/**
 * @typedef {{ name: string, run: () => Promise<void>, dirty: boolean, running: boolean, timer: any, last: number }} Task
 */

/**
 * Re-reads parts of the page when live messages say they changed, without flooding the server: an
 * instant scenario run announces hundreds of changes in a second. Each named task runs at once when
 * it has been quiet, at most once per `gapMs` while changes keep coming, never twice at the same
 * time, and once more after the last change it was told about.
 *
 * @param {number} gapMs
 */
export function createRefresher(gapMs = 300) {
  /** @type {Map<string, Task>} */
  const tasks = new Map();

  /** @param {Task} task */
  const schedule = (task) => {
    if (task.running || task.timer !== undefined) return;
    const wait = Math.max(0, task.last + gapMs - performance.now());
    task.timer = setTimeout(() => go(task), wait);
  };

  /** @param {Task} task */
  const go = async (task) => {
    task.timer = undefined;
    if (!task.dirty) return;
    task.dirty = false;
    task.running = true;
    try {
      await task.run();
    } catch (error) {
      // A panel that failed to draw must not stop the others, nor its own next refresh.
      console.error(`the ${task.name} panel could not refresh`, error);
    } finally {
      task.running = false;
      task.last = performance.now();
      if (task.dirty) schedule(task);
    }
  };

  return {
    /**
     * @param {string} name
     * @param {() => Promise<void>} run
     */
    define(name, run) {
      tasks.set(name, { name, run, dirty: false, running: false, timer: undefined, last: -Infinity });
    },
    /** @param {...string} names */
    mark(...names) {
      for (const name of names) {
        const task = tasks.get(name);
        if (!task) continue;
        task.dirty = true;
        schedule(task);
      }
    },
    markAll() {
      this.mark(...tasks.keys());
    },
  };
}
