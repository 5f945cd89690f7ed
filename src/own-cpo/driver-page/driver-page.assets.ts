/**
 * The driver's page's stylesheet and script, served from /c/assets/. Kept as strings in the product (no
 * build step, nothing to copy into dist/). The script only polls the session's JSON and updates the live
 * figures; everything works without it (forms post, the page reloads).
 */

/** Colours chosen for contrast ≥ 4.5:1 on white (text #1a1a1a, links and buttons #0b5394, alerts #8a1c1c). */
export const DRIVER_PAGE_CSS = `*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:17px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#f4f6f8}
header{display:flex;justify-content:flex-end;padding:.5rem 1rem;background:#0b3954;color:#fff}
header a,header span{color:#fff;margin-left:.75rem;padding:.25rem .4rem;min-width:44px;display:inline-block;text-align:center}
header span[aria-current]{font-weight:700;border-bottom:2px solid #fff}
main{max-width:32rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.25rem 0}
h2{font-size:1.15rem;margin:0 0 .5rem}
.address{margin:0 0 .75rem;color:#3d3d3d}
.facts,.live{margin:0 0 1rem;display:grid;gap:.35rem}
.facts div,.live div{display:flex;justify-content:space-between;gap:1rem;border-bottom:1px solid #d5dae0;padding:.3rem 0}
dt{color:#3d3d3d}dd{margin:0;font-weight:600;text-align:right}
.live dd{font-size:1.3rem}
.code{font-weight:400;color:#3d3d3d;font-size:.9rem}
.card{background:#fff;border-radius:10px;padding:1rem;margin:0 0 1rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.price{list-style:none;margin:0 0 .5rem;padding:0}
.price li{padding:.4rem 0;border-bottom:1px solid #e3e7eb}
.price strong{font-size:1.25rem}
small,.note{color:#3d3d3d}
.typical{font-weight:600}
.status-available{color:#1d6b2f}.status-charging,.status-reserved{color:#8a4b00}
.alert{background:#fdecea;color:#8a1c1c;border-left:4px solid #8a1c1c;padding:.75rem;border-radius:6px}
button,.button{display:block;width:100%;min-height:48px;padding:.8rem 1rem;font-size:1.1rem;font-weight:600;border:0;border-radius:8px;background:#0b5394;color:#fff;text-align:center;text-decoration:none;cursor:pointer}
.stop button{background:#8a1c1c}
button:disabled{background:#5f6b76}
a{color:#0b5394}
:focus-visible{outline:3px solid #f2a900;outline-offset:2px}
.receipt{width:100%;border-collapse:collapse;background:#fff;margin:0 0 1rem}
.receipt th{text-align:left;font-weight:400;padding:.4rem}.receipt td{text-align:right;padding:.4rem;white-space:nowrap}
.receipt tr.vat th,.receipt tr.vat td{color:#3d3d3d;font-size:.9rem}
.receipt tr.total th,.receipt tr.total td{font-weight:700;border-top:1px solid #1a1a1a}
`;

/** Polls GET /c/<code>/session every 2 s while the payment or session is under way; a new state reloads the page. */
export const DRIVER_PAGE_JS = `(function(){
"use strict";
var me=document.currentScript,code=me.getAttribute("data-code"),state=me.getAttribute("data-state"),lang=me.getAttribute("data-lang");
if(["paying","starting","charging","finishing"].indexOf(state)<0)return;
var dec=lang==="en"?".":",";
function num(v){return v===null||v===undefined?"\\u2013":String(v).replace(".",dec)}
function set(name,text){var el=document.querySelector('[data-field="'+name+'"]');if(el&&el.textContent!==text)el.textContent=text}
function poll(){
fetch("/c/"+code+"/session",{credentials:"same-origin",headers:{Accept:"application/json"}}).then(function(r){return r.ok?r.json():null}).then(function(s){
if(!s){return}
if(s.state!==state){location.reload();return}
set("kwh",num(s.kwh));set("power_kw",num(s.power_kw));set("minutes",String(s.minutes===null?0:s.minutes));
set("cost_so_far",s.cost_so_far===null?"\\u2013":num(s.cost_so_far)+" "+s.currency);
}).catch(function(){}).then(function(){setTimeout(poll,2000)});
}
setTimeout(poll,2000);
var stop=document.querySelector('[data-action="stop"]');
if(stop)stop.form.addEventListener("submit",function(){stop.disabled=true;stop.textContent=stop.getAttribute("data-stopping")||stop.textContent});
})();
`;
