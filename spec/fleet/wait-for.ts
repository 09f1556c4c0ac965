export { waitFor } from "../helpers";
