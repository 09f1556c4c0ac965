// proclist/fleet: every instance of a service in one place, through Redis (ioredis, an optional
// peer, loaded only here): instances join the fleet, one server serves the whole fleet's API.

// Loaded first: tsyringe, which holds the default manager, throws without it.
import "reflect-metadata";

// An instance joins its service's fleet.
export { joinFleet } from "./join";
export type { FleetMembership } from "./join";
export type { FleetOptions, JoinFleetOptions, RedisSource, RedisClient, FleetReaderOptions } from "./options";

// The fleet's API: every instance's tasks, kills routed to the instance that runs the task.
export { serveFleet } from "./serve";
export { createFleetApp } from "./app";
export type { FleetApp, FleetServeOptions } from "./app";
export type { WireInstance } from "../wire/shapes";

// What joining and serving can fail with.
export { DuplicateInstanceError, InstanceUnreachableError, RedisUnavailableError } from "./errors";
