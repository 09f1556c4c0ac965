import { handle, type Handler } from "../responses/handler";
import { sendJsonText, serverTime } from "../responses/respond";
import { grantOf } from "../access/rights";

/** `GET /whoami`: the token's label and rights (every right when the server has no token). Needs no right. */
export function whoamiRoute(): Handler {
  return handle((req, res) => {
    const grant = grantOf(req);
    sendJsonText(res, 200, `{"label":${JSON.stringify(grant.label)},"can":${JSON.stringify(grant.can)},"serverTime":"${serverTime()}"}`);
  });
}
