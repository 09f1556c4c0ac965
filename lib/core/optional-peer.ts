/**
 * Loads an optional peer dependency on first use, so that `import "proclist"` never loads it; a
 * missing package is an error that says which feature needs it and how to install it.
 */
export function optionalPeer<T>(name: string, feature: string): () => T {
  let loaded: T | undefined;
  return () => {
    if (loaded !== undefined) return loaded;
    try {
      loaded = require(name) as T;
    } catch (error) {
      throw new Error(`${feature} needs the package "${name}": npm install ${name}`, { cause: error });
    }
    return loaded;
  };
}
