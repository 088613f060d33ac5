/** The repository suite on D1 inside workerd, with the migrations the setup file applied. */
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { repositorySuite } from "../storage/repository-suite.ts";

repositorySuite("D1", () => drizzle(env.DB));
